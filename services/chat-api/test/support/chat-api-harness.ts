import { createDatabase, type Knex } from '@warren/shared/db';
import { type ChatMessage, newChangeId } from '@warren/shared/envelope';
import { HISTORY_SCHEMA, messageRowOf } from '@warren/shared/history';
import { createLogger } from '@warren/shared/logging';
import { serviceEnv, testConfig } from '@warren/shared/testing';
import { type ChatApiService, type ChatApiServiceOptions, loadConfig, startChatApiService } from '../../src/index.ts';
import { AuthStandIn, type LoggedInUser } from './auth-stand-in.ts';

/** A user with an access token of one login (`sid`) of theirs. */
export type TestUser = LoggedInUser;

/** An HTTP answer with its JSON body parsed (undefined when empty). */
export interface TestResponse {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: test bodies are inspected field by field.
  body: any;
}

/** Calls chat-api as one user. */
export interface ApiClient {
  get(path: string): Promise<TestResponse>;
  post(path: string, body?: unknown): Promise<TestResponse>;
  patch(path: string, body: unknown): Promise<TestResponse>;
  put(path: string, body?: unknown): Promise<TestResponse>;
  delete(path: string): Promise<TestResponse>;
}

/** A reaction as the persister keeps it in `history.reactions`. */
export interface StoredReaction {
  readonly messageId: string;
  readonly user: { readonly id: string; readonly username: string };
  readonly emoji: string;
  /** False for one taken back. @defaultValue true */
  readonly present?: boolean;
}

/** Calls a base URL with an optional bearer token. */
export async function call(
  url: string,
  method: string,
  token: string | undefined,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<TestResponse> {
  const response = await fetch(url, {
    method,
    headers: {
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

/** A username no other test uses. */
export function uniqueUsername(prefix = 'user'): string {
  return `${prefix}_${Math.random().toString(36).slice(2, 10)}`;
}

const logger = () => createLogger({ service: 'test', level: testConfig().logLevel });

/**
 * Starts chat-api in this process on a free port, as the run's `chat-api` AMQP user (its real
 * permissions apply), in the run's database, believing the run's `auth` and `ws-gateway` users;
 * `env` overrides any variable.
 */
export async function startTestChatApi(
  authUrl: string,
  env: Record<string, string> = {},
  options: ChatApiServiceOptions = {},
): Promise<ChatApiService> {
  const { users } = testConfig();
  const trusted = { AUTH_AMQP_USER: users.auth.name, GATEWAY_AMQP_USER: users['ws-gateway'].name };
  return startChatApiService(
    loadConfig(serviceEnv('chat-api', { AUTH_URL: authUrl, ...trusted, ...env })),
    logger(),
    options,
  );
}

/** What is only there once the harness has started. */
function started<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('chat-api starts in a before hook: use it in hooks and tests, not at load');
  return value;
}

/**
 * chat-api in this process, with what it needs of the rest of a deployment and nothing more: an
 * {@link AuthStandIn} as auth (its JWKS, its tokens, its record of ended logins) and the persister's writes done by the test
 * itself through the shared write model of `history` ({@link store}). Prefer {@link useChatApi}.
 */
export class ChatHarness {
  /** Auth as chat-api sees it: `AUTH_URL` points at it; {@link AuthStandIn.close} is an outage. */
  readonly issuer = new AuthStandIn({ ttlSec: 3600 });
  readonly #env: Record<string, string>;
  readonly #options: ChatApiServiceOptions;
  /** Users made before chat-api started, which it learns of as it starts. */
  readonly #unknown: TestUser[] = [];
  #chat: ChatApiService | undefined;
  #db: Knex | undefined;

  constructor(env: Record<string, string> = {}, options: ChatApiServiceOptions = {}) {
    this.#env = env;
    this.#options = options;
  }

  get chat(): ChatApiService {
    return started(this.#chat);
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.chat.port}`;
  }

  /** The run's database, for checks the API cannot make and for the persister's writes. */
  get db(): Knex {
    return started(this.#db);
  }

  async start(): Promise<void> {
    await this.issuer.listen();
    this.#chat = await startTestChatApi(this.issuer.url, this.#env, this.#options);
    this.#db = createDatabase({ url: testConfig().databaseUrl, logger: logger() });
    await Promise.all(this.#unknown.splice(0).map((user) => this.#introduce(user)));
  }

  async stop(): Promise<void> {
    await this.#chat?.stop();
    await this.issuer.close();
    await this.#db?.destroy();
  }

  /** chat-api as a user (or anonymously). */
  api(user?: Partial<TestUser> & { readonly token: string }): ApiClient {
    const token = user?.token;
    return {
      get: (path) => call(`${this.baseUrl}${path}`, 'GET', token),
      post: (path, body) => call(`${this.baseUrl}${path}`, 'POST', token, body),
      patch: (path, body) => call(`${this.baseUrl}${path}`, 'PATCH', token, body),
      put: (path, body) => call(`${this.baseUrl}${path}`, 'PUT', token, body),
      delete: (path) => call(`${this.baseUrl}${path}`, 'DELETE', token),
    };
  }

  /**
   * A user per prefix, for a suite: call it while mocha loads the suite (in a `describe` body);
   * chat-api knows them from its start, as it would after any call of theirs.
   */
  users<const P extends readonly string[]>(...prefixes: P): { [K in keyof P]: TestUser } {
    if (this.#chat !== undefined) throw new Error('users() is for describe bodies: in a test, use register()');
    const users = prefixes.map((prefix) => this.issuer.user(prefix));
    this.#unknown.push(...users);
    return users as { [K in keyof P]: TestUser };
  }

  /** A new user whom chat-api knows, as it knows any caller after an authenticated call. */
  async register(prefix = 'user'): Promise<TestUser> {
    const user = this.issuer.user(prefix);
    await this.#introduce(user);
    return user;
  }

  async #introduce(user: TestUser): Promise<void> {
    const answer = await this.api(user).get('/api/users?q=');
    if (answer.status !== 200) throw new Error(`introducing ${user.username}: ${answer.status}`);
  }

  /**
   * Stores a message as the persister does, through the shared write model: its row, and its
   * session's activity (one more message, bumped to its time if later, last message) when the row
   * is new. A persister of another test file may store the same message: the row is then written
   * once and counted once.
   */
  async store(message: ChatMessage): Promise<void> {
    await this.db.transaction(async (trx) => {
      const inserted = await trx
        .withSchema(HISTORY_SCHEMA)
        .into('messages')
        .insert(messageRowOf(message))
        .onConflict('id')
        .ignore()
        .returning('id');
      if (inserted.length === 0) return;
      await trx
        .withSchema(HISTORY_SCHEMA)
        .into('session_activity')
        .insert({
          session_id: message.session_id,
          last_message_id: message.id,
          bumped_at: message.created_at,
          stored_messages: 1,
        })
        .onConflict('session_id')
        .merge({
          last_message_id: message.id,
          bumped_at: trx.raw('greatest(session_activity.bumped_at, excluded.bumped_at)'),
          stored_messages: trx.raw('session_activity.stored_messages + 1'),
        });
    });
  }

  /**
   * Deletes a stored message as the persister applies `message.deleted`: a tombstone (content
   * blanked, extra emptied, reactions dropped). The persister's own tests hold that it does so.
   */
  async storeDeleted(messageId: string, deletedAt = new Date()): Promise<void> {
    await this.db.transaction(async (trx) => {
      await trx
        .withSchema(HISTORY_SCHEMA)
        .table('messages')
        .where({ id: messageId })
        .update({ deleted_at: deletedAt, content: '', extra: {} });
      await trx.withSchema(HISTORY_SCHEMA).table('reactions').where({ message_id: messageId }).delete();
    });
  }

  /** Stores reactions as the persister applies `reaction.added` and `reaction.removed`, each change newer than the last. */
  async storeReactions(reactions: readonly StoredReaction[]): Promise<void> {
    if (reactions.length === 0) return;
    await this.db
      .withSchema(HISTORY_SCHEMA)
      .into('reactions')
      .insert(
        reactions.map((reaction) => ({
          message_id: reaction.messageId,
          user_id: reaction.user.id,
          username: reaction.user.username,
          emoji: reaction.emoji,
          present: reaction.present ?? true,
          change_id: newChangeId(),
        })),
      )
      .onConflict(['message_id', 'user_id', 'emoji'])
      .merge(['present', 'change_id']);
  }

  /** Posts a text message (with more fields of the body, such as `reply_to`) and stores it as the persister would. */
  async say(user: TestUser, sessionId: string, content: string, more: object = {}): Promise<ChatMessage> {
    const posted = await this.api(user).post(`/api/sessions/${sessionId}/messages`, { ...more, content });
    if (posted.status !== 202) throw new Error(`post: ${posted.status} ${JSON.stringify(posted.body)}`);
    await this.store(posted.body.message);
    return posted.body.message;
  }
}

/**
 * A {@link ChatHarness} for the enclosing `describe`, started in its `before` hook and stopped in
 * its `after` hook; `env` and `options` are chat-api's.
 */
export function useChatApi(env: Record<string, string> = {}, options: ChatApiServiceOptions = {}): ChatHarness {
  const harness = new ChatHarness(env, options);
  before(() => harness.start());
  after(() => harness.stop());
  return harness;
}
