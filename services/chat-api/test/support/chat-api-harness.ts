import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AuthService, loadConfig as loadAuthConfig, startAuthService } from '@warren/auth';
import {
  type BatchStored,
  loadConfig as loadPersisterConfig,
  type PersisterService,
  startPersisterService,
} from '@warren/persister';
import { createDatabase, type Knex } from '@warren/shared/db';
import { createLogger } from '@warren/shared/logging';
import { testConfig } from '@warren/shared/testing';
import { type ChatApiService, type ChatApiServiceOptions, loadConfig, startChatApiService } from '../../src/index.ts';

/** An HTTP answer with its JSON body parsed (undefined when empty). */
export interface TestResponse {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: test bodies are inspected field by field.
  body: any;
}

/** A registered, logged-in user. */
export interface TestUser {
  id: string;
  username: string;
  token: string;
}

/** Calls chat-api as one user. */
export interface ApiClient {
  get(path: string): Promise<TestResponse>;
  post(path: string, body?: unknown): Promise<TestResponse>;
  patch(path: string, body: unknown): Promise<TestResponse>;
  delete(path: string): Promise<TestResponse>;
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

const PASSWORD = 'correct horse battery';
const logger = () => createLogger({ service: 'test', level: testConfig().logLevel });

/**
 * Starts chat-api in this process on a free port, as the run's `chat-api` AMQP user (its real
 * permissions apply), in the run's database; `env` overrides any variable.
 */
export async function startTestChatApi(
  authUrl: string,
  env: Record<string, string> = {},
  options: ChatApiServiceOptions = {},
): Promise<ChatApiService> {
  const test = testConfig();
  return startChatApiService(
    loadConfig({
      PORT: '0',
      RABBITMQ_URL: test.users['chat-api'].url,
      DATABASE_URL: test.databaseUrl,
      AUTH_URL: authUrl,
      ...env,
    }),
    logger(),
    options,
  );
}

/** Starts a persister in this process, as the run's `persister` AMQP user, trusting chat-api. */
function startTestPersister(): Promise<PersisterService> {
  const test = testConfig();
  return startPersisterService(
    loadPersisterConfig({
      PORT: '0',
      RABBITMQ_URL: test.users.persister.url,
      DATABASE_URL: test.databaseUrl,
      TRUSTED_PUBLISHERS: test.users['chat-api'].name,
    }),
    logger(),
  );
}

/**
 * The message path of a deployment, in process: auth (for tokens, BCRYPT_COST 4), the persister
 * (so posted messages are stored) and chat-api, each as its own AMQP user.
 */
export class ChatHarness {
  readonly auth: AuthService;
  /** The running persister; {@link stopPersister} and {@link startPersister} replace it. */
  persister: PersisterService;
  #persisterRunning = true;
  readonly chat: ChatApiService;
  readonly authUrl: string;
  readonly baseUrl: string;
  /** The run's database, for checks the API cannot make. */
  readonly db: Knex;

  private constructor(auth: AuthService, persister: PersisterService, chat: ChatApiService, db: Knex) {
    this.auth = auth;
    this.persister = persister;
    this.chat = chat;
    this.authUrl = `http://127.0.0.1:${auth.port}`;
    this.baseUrl = `http://127.0.0.1:${chat.port}`;
    this.db = db;
  }

  static async start(env: Record<string, string> = {}, options: ChatApiServiceOptions = {}): Promise<ChatHarness> {
    const test = testConfig();
    const auth = await startAuthService(
      loadAuthConfig({
        PORT: '0',
        RABBITMQ_URL: test.users.auth.url,
        DATABASE_URL: test.databaseUrl,
        BCRYPT_COST: '4',
        // Tests register many users from one address: no registration limit gets in their way.
        REGISTER_MAX_PER_ADDRESS: '100000',
        DATA_DIR: mkdtempSync(join(tmpdir(), 'warren-auth-')),
      }),
      logger(),
    );
    const chat = await startTestChatApi(`http://127.0.0.1:${auth.port}`, env, options);
    const persister = await startTestPersister();
    return new ChatHarness(auth, persister, chat, createDatabase({ url: test.databaseUrl, logger: logger() }));
  }

  /** Stops the persister: messages posted meanwhile wait in its queue. */
  async stopPersister(): Promise<void> {
    await this.persister.stop();
    this.#persisterRunning = false;
  }

  /** Starts a persister again after {@link stopPersister}; it stores what waited. */
  async startPersister(): Promise<void> {
    this.persister = await startTestPersister();
    this.#persisterRunning = true;
  }

  /** chat-api as a user (or anonymously). */
  api(user?: TestUser): ApiClient {
    const token = user?.token;
    return {
      get: (path) => call(`${this.baseUrl}${path}`, 'GET', token),
      post: (path, body) => call(`${this.baseUrl}${path}`, 'POST', token, body),
      patch: (path, body) => call(`${this.baseUrl}${path}`, 'PATCH', token, body),
      delete: (path) => call(`${this.baseUrl}${path}`, 'DELETE', token),
    };
  }

  /** Registers a user with auth and logs them in; `known` (the default) also makes chat-api know them. */
  async register(prefix = 'user', { known = true } = {}): Promise<TestUser> {
    const username = uniqueUsername(prefix);
    const registered = await call(`${this.authUrl}/auth/register`, 'POST', undefined, { username, password: PASSWORD });
    if (registered.status !== 201) throw new Error(`register ${username}: ${registered.status}`);
    const login = await call(`${this.authUrl}/auth/login`, 'POST', undefined, { username, password: PASSWORD });
    if (login.status !== 200) throw new Error(`login ${username}: ${login.status}`);
    const user = { id: login.body.user.id as string, username, token: login.body.access_token as string };
    // Any authenticated call tells chat-api who the caller is, whether or not user.registered arrived.
    if (known) await this.api(user).get('/api/users?q=');
    return user;
  }

  /** Resolves once the persister has stored the message (at once if it has already). */
  async stored(messageId: string): Promise<void> {
    const { persister } = this.persister;
    let listener: ((batch: BatchStored) => void) | undefined;
    const batch = new Promise<void>((resolve) => {
      listener = (stored) => {
        if ([...stored.storedIds, ...stored.duplicateIds].includes(messageId)) resolve();
      };
      persister.on('batch-stored', listener);
    });
    try {
      const row = await this.db.withSchema('history').from('messages').where({ id: messageId }).first();
      if (row === undefined) await batch;
    } finally {
      if (listener) persister.off('batch-stored', listener);
    }
  }

  /** Posts a text message and waits until the persister has stored it. */
  async say(user: TestUser, sessionId: string, content: string): Promise<{ id: string; created_at: string }> {
    const posted = await this.api(user).post(`/api/sessions/${sessionId}/messages`, { content });
    if (posted.status !== 202) throw new Error(`post: ${posted.status} ${JSON.stringify(posted.body)}`);
    await this.stored(posted.body.message.id);
    return posted.body.message;
  }

  async stop(): Promise<void> {
    await this.chat.stop();
    if (this.#persisterRunning) await this.persister.stop();
    await this.auth.stop();
    await this.db.destroy();
  }
}
