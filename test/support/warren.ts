import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AmqpUser, amqpUsers } from '@warren/shared/amqp';
import { createDatabase, type Knex } from '@warren/shared/db';
import { HISTORY_SCHEMA, type MessageRow } from '@warren/shared/history';
import { createLogger } from '@warren/shared/logging';
import { ServiceProcess, serviceEnv, type TestedService, testConfig } from '@warren/shared/testing';
import { freePort } from './free-port.ts';

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

/** The password of every user {@link registerUser} registers. */
export const PASSWORD = 'correct horse battery';

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

/** A message the persister published to `warren.dead`, as its log reports it. */
export interface DeadLettered {
  /** The code: the part of `error` before its colon (`content_too_long`, `unknown_session`, …). */
  readonly reason: string;
  /** The `x-warren-error` header: `<code>: <detail>`. */
  readonly error: string;
  readonly messageId: string;
  /** The exchange the message was published to. */
  readonly exchange: string;
}

/**
 * Resolves once a chat-api or ws-gateway has read auth's record of ended logins: until then chat-api
 * answers every authenticated request 503 `ENDED_LOGINS_UNKNOWN` and the gateway closes every
 * socket 1011, and the first read may have come before auth, started with them, listened (the retry
 * that follows is on a backoff).
 */
function servingSignedIn(service: ServiceProcess): Promise<unknown> {
  // Past the listen: auth is up by then, and the retry backoff of a slow start may be seconds long.
  return service.logged('ended logins read from auth', { timeoutMs: 60_000 });
}

/**
 * Registers a chat user with auth at `authUrl`, logs them in, and makes chat-api at `chatUrl` know
 * them.
 */
export async function registerUser(authUrl: string, chatUrl: string, prefix: string): Promise<TestUser> {
  const username = uniqueName(prefix);
  const registered = await call(`${authUrl}/auth/register`, 'POST', undefined, { username, password: PASSWORD });
  if (registered.status !== 201) throw new Error(`register ${username}: ${registered.status}`);
  const login = await call(`${authUrl}/auth/login`, 'POST', undefined, { username, password: PASSWORD });
  if (login.status !== 200) throw new Error(`login ${username}: ${login.status}`);
  const user = { id: login.body.user.id as string, username, token: login.body.access_token as string };
  // Any authenticated call tells chat-api who the caller is, whether or not user.registered arrived.
  await call(`${chatUrl}/api/users?q=`, 'GET', user.token);
  return user;
}

/** Registers one user per prefix on `warren`, one after the other. */
export async function registerEach<const P extends readonly string[]>(
  warren: { register(prefix: string): Promise<TestUser> },
  ...prefixes: P
): Promise<{ -readonly [K in keyof P]: TestUser }> {
  const users: TestUser[] = [];
  for (const prefix of prefixes) users.push(await warren.register(prefix));
  return users as { -readonly [K in keyof P]: TestUser };
}

/**
 * Warren as deployed: auth, chat-api, the persister and the ws-gateway, each a process of its own
 * (`node --import tsx services/<name>/src/main.ts`) connected as its own AMQP user of the run (so
 * the real least-privilege permissions apply), on free ports, in the run's database. By default in
 * the run's vhost; `vhost` puts the whole system in another one (whose topology and permissions the
 * caller has made). Tests see the services only as clients and operators do: HTTP, WebSocket, AMQP,
 * the database, and their logs.
 */
export class TestWarren {
  readonly auth: ServiceProcess;
  readonly chat: ServiceProcess;
  #persister: ServiceProcess;
  readonly gateway: ServiceProcess;
  readonly db: Knex;
  readonly vhost: string;
  /** auth's data folder, holding its generated signing key (tests that forge tokens read it). */
  readonly authDataDir: string;
  /** AMQP URLs of the run's users in this vhost. */
  readonly urls: Readonly<Record<AmqpUser | 'admin', string>>;

  /** Spawns a service as {@link TestWarren.start} did; `env` overrides its variables. */
  readonly #spawn: (name: TestedService, env?: Record<string, string>) => ServiceProcess;
  /** Instances started by {@link TestWarren.startAnother}, stopped with the rest. */
  readonly #others: ServiceProcess[] = [];

  private constructor(fields: {
    services: Record<TestedService, ServiceProcess>;
    db: Knex;
    vhost: string;
    authDataDir: string;
    urls: Record<AmqpUser | 'admin', string>;
    spawn: (name: TestedService, env?: Record<string, string>) => ServiceProcess;
  }) {
    this.auth = fields.services.auth;
    this.chat = fields.services['chat-api'];
    this.#persister = fields.services.persister;
    this.#spawn = fields.spawn;
    this.gateway = fields.services['ws-gateway'];
    this.db = fields.db;
    this.vhost = fields.vhost;
    this.authDataDir = fields.authDataDir;
    this.urls = fields.urls;
  }

  /**
   * Starts the four together, and resolves once chat-api and the gateway serve signed-in callers.
   * The persister logs at debug level: {@link TestWarren.stored} awaits its `batch stored` lines.
   * @param options.vhost puts the whole system in another vhost.
   * @param options.chatApi overrides chat-api variables (a higher POST_RATE_PER_SEC for bulk posting).
   * @param options.env overrides any service's variables.
   */
  static async start(
    options: {
      vhost?: string;
      chatApi?: Record<string, string>;
      env?: Partial<Record<TestedService, Record<string, string>>>;
    } = {},
  ): Promise<TestWarren> {
    const test = testConfig();
    const vhost = options.vhost ?? test.vhost;
    const urls = {
      admin: inVhost(test.rabbitmqUrl, vhost),
      ...Object.fromEntries(amqpUsers.map((user) => [user, inVhost(test.users[user].url, vhost)])),
    } as Record<AmqpUser | 'admin', string>;
    const authDataDir = mkdtempSync(join(tmpdir(), 'warren-auth-'));
    const spawned: ServiceProcess[] = [];
    const envOf: Partial<Record<TestedService, Record<string, string>>> = {};
    const spawn = (name: TestedService, env: Record<string, string>) => {
      envOf[name] = env;
      const service = ServiceProcess.spawn(
        name,
        serviceEnv(name, { RABBITMQ_URL: urls[name], ...env, ...options.env?.[name] }),
      );
      spawned.push(service);
      return service;
    };
    try {
      // auth's port is chosen up front so that all four start at once: the others only need its
      // URL, and fetch its keys when the first token comes.
      const authPort = String(await freePort());
      const AUTH_URL = `http://127.0.0.1:${authPort}`;
      const auth = spawn('auth', { DATA_DIR: authDataDir, PORT: authPort });
      const persister = spawn('persister', { LOG_LEVEL: 'debug' });
      const chat = spawn('chat-api', { AUTH_URL, ...options.chatApi });
      const gateway = spawn('ws-gateway', { AUTH_URL });
      await Promise.all(spawned.map((service) => service.listening));
      await Promise.all([servingSignedIn(chat), servingSignedIn(gateway)]);
      const db = createDatabase({ url: test.databaseUrl, logger: createLogger({ service: 'test', level: 'silent' }) });
      const services = { auth, 'chat-api': chat, persister, 'ws-gateway': gateway };
      const respawn = (name: TestedService, env: Record<string, string> = {}) =>
        spawn(name, { ...envOf[name], ...env });
      return new TestWarren({ services, db, vhost, urls, authDataDir, spawn: respawn });
    } catch (error) {
      await Promise.all(spawned.map((service) => service.kill()));
      rmSync(authDataDir, { recursive: true, force: true });
      throw error;
    }
  }

  /** The running persister (another process after {@link TestWarren.restartPersister}). */
  get persister(): ServiceProcess {
    return this.#persister;
  }

  /**
   * Stops the persister (SIGTERM, as `docker stop` does) and, after `meanwhile` (what happens while
   * none runs), starts a new one with the same variables; resolves once it listens.
   */
  async restartPersister(meanwhile: () => Promise<void> = async () => undefined): Promise<void> {
    await this.#persister.stop();
    await meanwhile();
    this.#persister = this.#spawn('persister');
    await this.#persister.listening;
  }

  /**
   * Starts one more instance of a service (a second chat-api or ws-gateway), with the variables the
   * first got and `env` over them; resolves once it listens and serves signed-in callers. It is
   * stopped with the warren.
   */
  async startAnother(name: 'chat-api' | 'ws-gateway', env: Record<string, string> = {}): Promise<ServiceProcess> {
    const service = this.#spawn(name, env);
    this.#others.push(service);
    await service.listening;
    await servingSignedIn(service);
    return service;
  }

  get authUrl(): string {
    return this.auth.url;
  }

  get chatUrl(): string {
    return this.chat.url;
  }

  get gatewayUrl(): string {
    return `ws://127.0.0.1:${this.gateway.port}/ws`;
  }

  /** Registers a chat user with auth, logs them in, and makes chat-api know them. */
  register(prefix = 'user'): Promise<TestUser> {
    return registerUser(this.authUrl, this.chatUrl, prefix);
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
   * batch the persister logs having committed, so the wait ends on the event, never on a timer.
   */
  async stored(where: { id: string } | { sessionId: string; content: string }): Promise<MessageRow> {
    for (;;) {
      const abort = new AbortController();
      // Listening before looking, so a batch that commits in between is not missed.
      const next = this.persister
        .nextLog((line) => line.msg === 'batch stored', { signal: abort.signal })
        .catch(() => undefined);
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

  /** The persister's report of the message's dead letter (its `dead-lettered a message` log line), once it has published it. */
  async deadLettered(messageId: string): Promise<DeadLettered> {
    const line = await this.persister.logs.waitFor(
      (each) => each.msg === 'dead-lettered a message' && each.messageId === messageId,
      { what: `dead letter ${messageId}` },
    );
    const error = String(line.reason);
    return { reason: error.slice(0, error.indexOf(':')), error, messageId, exchange: String(line.exchange) };
  }

  async stop(): Promise<void> {
    await Promise.all(
      [...this.#others, this.gateway, this.chat, this.#persister, this.auth].map((service) => service.stop()),
    );
    await this.db.destroy();
    rmSync(this.authDataDir, { recursive: true, force: true });
  }
}

/**
 * How long a hook that starts a {@link TestWarren} may take: four processes each load tsx and their
 * modules, some seconds alone and far more on a machine busy with other test files.
 */
export const WARREN_START_TIMEOUT_MS = 120_000;

/** chat-api variables that lift the per-user posting limit, for tests that post in bulk (it has tests of its own). */
export const UNLIMITED_POSTING: Readonly<Record<string, string>> = { POST_RATE_PER_SEC: '10000', POST_BURST: '10000' };

/**
 * Starts a {@link TestWarren} before the enclosing `describe`'s tests and stops it after them (its
 * `after` hook runs before any the suite registers later). Call it in the `describe` body.
 * @returns the warren, usable from the suite's hooks and tests once it has started.
 */
export function useWarren(options: Parameters<typeof TestWarren.start>[0] = {}): TestWarren {
  let started: TestWarren | undefined;
  before(async function () {
    this.timeout(WARREN_START_TIMEOUT_MS);
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
