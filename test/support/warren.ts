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
import { type AmqpUser, amqpUsers } from '@warren/shared/amqp';
import { createDatabase, type Knex } from '@warren/shared/db';
import { HISTORY_SCHEMA, type MessageRow } from '@warren/shared/history';
import { createLogger } from '@warren/shared/logging';
import { Recorder, serviceEnv, testConfig } from '@warren/shared/testing';
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
  readonly #deadLetters = new Recorder<DeadLettered>({ name: "the persister's dead letters" });

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
    this.persister.persister.on('dead-lettered', this.#deadLetters.push);
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
    const authDataDir = mkdtempSync(join(tmpdir(), 'warren-auth-'));
    const auth = await startAuthService(
      loadAuthConfig(serviceEnv('auth', { RABBITMQ_URL: urls.auth, DATA_DIR: authDataDir })),
      logger('auth'),
    );
    const authUrl = `http://127.0.0.1:${auth.port}`;
    const chat = await startChatApiService(
      loadChatApiConfig(
        serviceEnv('chat-api', { RABBITMQ_URL: urls['chat-api'], AUTH_URL: authUrl, ...options.chatApi }),
      ),
      logger('chat-api'),
    );
    const persister = await startPersisterService(
      loadPersisterConfig(serviceEnv('persister', { RABBITMQ_URL: urls.persister })),
      logger('persister'),
    );
    const gateway = await startWsGatewayService(
      loadGatewayConfig(serviceEnv('ws-gateway', { RABBITMQ_URL: urls['ws-gateway'], AUTH_URL: authUrl })),
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
  deadLettered(messageId: string): Promise<DeadLettered> {
    return this.#deadLetters.waitFor((each) => each.messageId === messageId, { what: `dead letter ${messageId}` });
  }

  async stop(): Promise<void> {
    await this.gateway.stop();
    await this.chat.stop();
    await this.persister.stop();
    await this.auth.stop();
    await this.db.destroy();
  }
}

/** chat-api variables that lift the per-user posting limit, for tests that post in bulk (it has tests of its own). */
export const UNLIMITED_POSTING: Readonly<Record<string, string>> = { POST_RATE_PER_SEC: '10000', POST_BURST: '10000' };

/**
 * Starts a {@link TestWarren} before the enclosing `describe`'s tests and stops it after them (its
 * `after` hook runs before any the suite registers later). Call it in the `describe` body.
 * @returns the warren, usable from the suite's hooks and tests once it has started.
 */
export function useWarren(options: Parameters<typeof TestWarren.start>[0] = {}): TestWarren {
  let started: TestWarren | undefined;
  before(async () => {
    started = await TestWarren.start(options);
  });
  after(async () => {
    await started?.stop();
  });
  // Forwards to the warren once started, so suites keep one `warren` constant instead of a let
  // assigned in their own hooks.
  return new Proxy({} as TestWarren, {
    get(_target, key) {
      if (!started) throw new Error('the warren starts in a before hook: use it in hooks and tests, not at load');
      const value: unknown = Reflect.get(started, key, started);
      // Methods are bound to the warren; fields (the database handle is a function) are as they are.
      return typeof value === 'function' && !Object.hasOwn(started, key) ? value.bind(started) : value;
    },
  });
}

/** A user and a session of theirs, made for a suite. */
export interface OwnedSession {
  readonly owner: TestUser;
  /** The session's id. */
  readonly id: string;
}

/**
 * Registers an owner and creates a session of theirs on `warren` before the enclosing `describe`'s
 * tests. Call it in the `describe` body, after {@link useWarren}.
 * @returns the session, filled in once the suite's `before` hooks have run.
 */
export function useOwnedSession(warren: TestWarren): OwnedSession {
  const made: { owner?: TestUser; id?: string } = {};
  before(async () => {
    made.owner = await warren.register('owner');
    made.id = await warren.createSession(made.owner);
  });
  const ready = () => {
    if (!made.owner || !made.id) throw new Error('the session is made in a before hook: use it in hooks and tests');
    return { owner: made.owner, id: made.id };
  };
  return {
    get owner() {
      return ready().owner;
    },
    get id() {
      return ready().id;
    },
  };
}
