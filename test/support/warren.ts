import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AuthService, loadConfig as loadAuthConfig, startAuthService } from '@warren/auth';
import { type ChatApiService, loadConfig as loadChatApiConfig, startChatApiService } from '@warren/chat-api';
import {
  type DeadLettered,
  loadConfig as loadPersisterConfig,
  type PersisterService,
  startPersisterService,
} from '@warren/persister';
import {
  type AmqpUser,
  amqpUsers,
  createDatabase,
  createLogger,
  HISTORY_SCHEMA,
  type Knex,
  type MessageRow,
} from '@warren/shared';
import { testConfig } from '@warren/shared/testing';
import { loadConfig as loadGatewayConfig, startWsGatewayService, type WsGatewayService } from '@warren/ws-gateway';

/** A registered, logged-in chat user. */
export interface TestUser {
  readonly id: string;
  readonly username: string;
  readonly token: string;
}

/** An HTTP answer with its JSON body parsed (undefined when empty). */
export interface TestResponse {
  readonly status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests inspect bodies field by field.
  readonly body: any;
}

const PASSWORD = 'correct horse battery';

/** A URL with its path (the vhost) replaced. */
export function inVhost(url: string, vhost: string): string {
  const changed = new URL(url);
  changed.pathname = `/${encodeURIComponent(vhost)}`;
  return changed.toString();
}

/** A name no other test uses, within RabbitMQ's and Warren's name rules. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Math.random().toString(36).slice(2, 10)}`;
}

/** Calls an HTTP API with an optional bearer token and JSON body. */
export async function call(url: string, method: string, token?: string, body?: unknown): Promise<TestResponse> {
  const response = await fetch(url, {
    method,
    headers: {
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/**
 * Warren as deployed, in this process: auth, chat-api, the persister and the ws-gateway, each
 * connected as its own AMQP user of the run (so the real least-privilege permissions apply), on
 * free ports, in the run's database. By default in the run's vhost; `vhost` puts the whole system
 * in another one (whose topology and permissions the caller has made).
 */
export class TestWarren {
  readonly auth: AuthService;
  readonly chat: ChatApiService;
  readonly persister: PersisterService;
  readonly gateway: WsGatewayService;
  readonly db: Knex;
  readonly vhost: string;
  /** auth's data folder, holding its generated signing key (tests that forge tokens read it). */
  readonly authDataDir: string;
  /** AMQP URLs of the run's users in this vhost. */
  readonly urls: Readonly<Record<AmqpUser | 'admin', string>>;
  /** Every dead letter the persister reported since it started. */
  readonly deadLetters: DeadLettered[] = [];

  private constructor(fields: {
    auth: AuthService;
    chat: ChatApiService;
    persister: PersisterService;
    gateway: WsGatewayService;
    db: Knex;
    vhost: string;
    authDataDir: string;
    urls: Record<AmqpUser | 'admin', string>;
  }) {
    this.auth = fields.auth;
    this.chat = fields.chat;
    this.persister = fields.persister;
    this.gateway = fields.gateway;
    this.db = fields.db;
    this.vhost = fields.vhost;
    this.authDataDir = fields.authDataDir;
    this.urls = fields.urls;
    this.persister.persister.on('dead-lettered', (letter) => this.deadLetters.push(letter));
  }

  /**
   * @param options.vhost puts the whole system in another vhost.
   * @param options.chatApi overrides chat-api variables (a higher POST_RATE_PER_SEC for bulk posting).
   */
  static async start(options: { vhost?: string; chatApi?: Record<string, string> } = {}): Promise<TestWarren> {
    const test = testConfig();
    const vhost = options.vhost ?? test.vhost;
    const urls = {
      admin: inVhost(test.rabbitmqUrl, vhost),
      ...Object.fromEntries(amqpUsers.map((user) => [user, inVhost(test.users[user].url, vhost)])),
    } as Record<AmqpUser | 'admin', string>;
    const logger = (service: string) => createLogger({ service, level: test.logLevel });
    const trusted = test.users['chat-api'].name;
    const authDataDir = mkdtempSync(join(tmpdir(), 'warren-auth-'));
    const auth = await startAuthService(
      loadAuthConfig({
        PORT: '0',
        RABBITMQ_URL: urls.auth,
        DATABASE_URL: test.databaseUrl,
        BCRYPT_COST: '4',
        REGISTER_MAX_PER_ADDRESS: '100000',
        DATA_DIR: authDataDir,
      }),
      logger('auth'),
    );
    const authUrl = `http://127.0.0.1:${auth.port}`;
    const chat = await startChatApiService(
      loadChatApiConfig({
        PORT: '0',
        RABBITMQ_URL: urls['chat-api'],
        DATABASE_URL: test.databaseUrl,
        AUTH_URL: authUrl,
        ...options.chatApi,
      }),
      logger('chat-api'),
    );
    const persister = await startPersisterService(
      loadPersisterConfig({
        PORT: '0',
        RABBITMQ_URL: urls.persister,
        DATABASE_URL: test.databaseUrl,
        TRUSTED_PUBLISHERS: trusted,
      }),
      logger('persister'),
    );
    const gateway = await startWsGatewayService(
      loadGatewayConfig({
        PORT: '0',
        RABBITMQ_URL: urls['ws-gateway'],
        AUTH_URL: authUrl,
        TRUSTED_PUBLISHERS: trusted,
      }),
      logger('ws-gateway'),
    );
    const db = createDatabase({ url: test.databaseUrl, logger: logger('test') });
    return new TestWarren({ auth, chat, persister, gateway, db, vhost, urls, authDataDir });
  }

  get authUrl(): string {
    return `http://127.0.0.1:${this.auth.port}`;
  }

  get chatUrl(): string {
    return `http://127.0.0.1:${this.chat.port}`;
  }

  get gatewayUrl(): string {
    return `ws://127.0.0.1:${this.gateway.port}/ws`;
  }

  /** Registers a chat user with auth, logs them in, and makes chat-api know them. */
  async register(prefix = 'user'): Promise<TestUser> {
    const username = uniqueName(prefix);
    const registered = await call(`${this.authUrl}/auth/register`, 'POST', undefined, { username, password: PASSWORD });
    if (registered.status !== 201) throw new Error(`register ${username}: ${registered.status}`);
    const login = await call(`${this.authUrl}/auth/login`, 'POST', undefined, { username, password: PASSWORD });
    if (login.status !== 200) throw new Error(`login ${username}: ${login.status}`);
    const user = { id: login.body.user.id as string, username, token: login.body.access_token as string };
    // Any authenticated call tells chat-api who the caller is, whether or not user.registered arrived.
    await this.api(user, 'GET', '/api/users?q=');
    return user;
  }

  /** Calls chat-api as a user. */
  api(user: TestUser, method: string, path: string, body?: unknown): Promise<TestResponse> {
    return call(`${this.chatUrl}${path}`, method, user.token, body);
  }

  /** Makes a group session through chat-api, owned by `owner`, with `members`; resolves with its id. */
  async createSession(owner: TestUser, members: readonly TestUser[] = []): Promise<string> {
    const created = await this.api(owner, 'POST', '/api/sessions', {
      name: uniqueName('session'),
      members: members.map((member) => member.username),
    });
    if (created.status !== 201) throw new Error(`create session: ${created.status} ${JSON.stringify(created.body)}`);
    return created.body.id;
  }

  /**
   * The stored message that matches, once the persister has stored it: checked now and after each
   * batch the persister commits, so the wait ends on the event, never on a timer.
   */
  async stored(where: { id: string } | { sessionId: string; content: string }): Promise<MessageRow> {
    const { persister } = this.persister;
    for (;;) {
      const abort = new AbortController();
      // Listening before looking, so a batch that commits in between is not missed.
      const next = once(persister, 'batch-stored', { signal: abort.signal }).catch(() => undefined);
      const query = this.db.withSchema(HISTORY_SCHEMA).from<MessageRow>('messages');
      const row = await ('id' in where
        ? query.where({ id: where.id })
        : query.where({ session_id: where.sessionId, content: where.content })
      ).first();
      if (row) {
        abort.abort();
        return row;
      }
      await next;
    }
  }

  /** The persister's report of the message's dead letter, once it has published it. */
  async deadLettered(messageId: string): Promise<DeadLettered> {
    for (;;) {
      const abort = new AbortController();
      const next = once(this.persister.persister, 'dead-lettered', { signal: abort.signal }).catch(() => undefined);
      const letter = this.deadLetters.find((each) => each.messageId === messageId);
      if (letter) {
        abort.abort();
        return letter;
      }
      await next;
    }
  }

  async stop(): Promise<void> {
    await this.gateway.stop();
    await this.chat.stop();
    await this.persister.stop();
    await this.auth.stop();
    await this.db.destroy();
  }
}
