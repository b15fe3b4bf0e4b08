import { EventEmitter, once } from 'node:events';
import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AmqpUser } from '@warren/shared/amqp';
import { createDatabase, databaseSchemas, type Knex } from '@warren/shared/db';
import { createLogger } from '@warren/shared/logging';
import { ManagementClient } from '@warren/shared/management';
import { eventually, ServiceProcess } from '@warren/shared/testing';
import WebSocket from 'ws';
import { freePort } from '../support/free-port.ts';
import { PrivatePostgres } from '../support/private-postgres.ts';
import { DEV_PASSWORDS, PrivateRabbitMq } from '../support/private-rabbitmq.ts';
import { call, registerUser, type TestUser } from '../support/warren.ts';

type ServiceName = 'chat-api' | 'persister' | 'ws-gateway';

/**
 * Warren with its faults in reach, on a RabbitMQ node and a PostgreSQL cluster of its own (so that
 * each can really be stopped and started again without touching what other tests use): the broker
 * is seeded from the deployment's rabbitmq/definitions.json, so every service connects to the
 * `warren` vhost as its deployment user, under the deployment's permissions and limits. Every
 * service runs as its own process, as deployed; chat-api, the persister and the ws-gateway (the ones
 * faulted) on fixed ports, so that a restarted one listens where clients expect it.
 */
export class ChaosWarren {
  readonly services = new Map<ServiceName, ServiceProcess>();
  readonly ports = new Map<ServiceName, number>();

  private constructor(
    readonly rabbit: PrivateRabbitMq,
    readonly postgres: PrivatePostgres,
    readonly auth: ServiceProcess,
    readonly db: Knex,
  ) {}

  static async start(): Promise<ChaosWarren> {
    const [rabbit, postgres] = await Promise.all([PrivateRabbitMq.start(), PrivatePostgres.start()]);
    const auth = await startChaosAuth(rabbit.url('auth', DEV_PASSWORDS.auth), postgres, () =>
      Promise.all([rabbit.remove(), postgres.remove()]),
    );
    const db = createDatabase({ url: postgres.url(), logger: createLogger({ service: 'test', level: 'silent' }) });
    const warren = new ChaosWarren(rabbit, postgres, auth, db);
    for (const name of ['persister', 'chat-api', 'ws-gateway'] as const) warren.ports.set(name, await freePort());
    await Promise.all((['persister', 'chat-api', 'ws-gateway'] as const).map((name) => warren.startService(name)));
    return warren;
  }

  /** The AMQP URL of a user of the definitions, in the `warren` vhost. */
  amqpUrl(user: AmqpUser | 'admin'): string {
    return this.rabbit.url(user, DEV_PASSWORDS[user]);
  }

  /** The broker's management API, as its administrator. */
  management(): ManagementClient {
    return new ManagementClient(this.rabbit.managementUrl('admin', DEV_PASSWORDS.admin));
  }

  /** Starts (or restarts) a service on its port; resolves once it listens. */
  async startService(name: ServiceName): Promise<ServiceProcess> {
    const trusted = 'chat-api';
    const database = this.postgres.url();
    const common = { PORT: String(this.ports.get(name)), RABBITMQ_URL: this.amqpUrl(name) };
    const env: Record<string, string> =
      name === 'chat-api'
        ? {
            ...common,
            DATABASE_URL: database,
            AUTH_URL: this.authUrl,
            POST_RATE_PER_SEC: '10000',
            POST_BURST: '10000',
          }
        : name === 'persister'
          ? { ...common, DATABASE_URL: database, TRUSTED_PUBLISHERS: trusted }
          : { ...common, AUTH_URL: this.authUrl, TRUSTED_PUBLISHERS: trusted };
    const service = ServiceProcess.spawn(name, env);
    this.services.set(name, service);
    await service.listening;
    return service;
  }

  get authUrl(): string {
    return this.auth.url;
  }
  get chatUrl(): string {
    return `http://127.0.0.1:${this.ports.get('chat-api')}`;
  }
  get gatewayUrl(): string {
    return `ws://127.0.0.1:${this.ports.get('ws-gateway')}/ws`;
  }
  get persisterUrl(): string {
    return `http://127.0.0.1:${this.ports.get('persister')}`;
  }

  register(prefix: string): Promise<TestUser> {
    return registerUser(this.authUrl, this.chatUrl, prefix);
  }

  /** A readiness probe of a service: 200 when its broker (and database) connections work. */
  async ready(name: ServiceName): Promise<boolean> {
    try {
      const response = await fetch(`http://127.0.0.1:${this.ports.get(name)}/readyz`, {
        signal: AbortSignal.timeout(2000),
      });
      return response.status === 200;
    } catch {
      return false;
    }
  }

  /** A gauge or counter of a service's /metrics. */
  async metric(name: ServiceName, metric: string): Promise<number | undefined> {
    const text = await (await fetch(`http://127.0.0.1:${this.ports.get(name)}/metrics`)).text();
    const lines = text.split('\n').filter((each) => each.startsWith(`${metric} `) || each.startsWith(`${metric}{`));
    // Summed over its labels.
    return lines.length === 0 ? undefined : lines.reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
  }

  /** Rows of history.messages of a session: id and content. */
  storedRows(sessionId: string): Promise<Array<{ id: string; content: string }>> {
    return storedRowsOf(this.db, sessionId);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.services.values(), this.auth].map((service) => service.kill()));
    await this.db.destroy();
    await Promise.all([this.rabbit.remove(), this.postgres.remove()]);
  }
}

/** Where clients reach Warren: what {@link OnlineMember} and {@link Poster} use of a deployment. */
export interface WarrenEndpoints {
  /** chat-api's base URL; read for every request, so a getter may spread requests over instances. */
  readonly chatUrl: string;
  /** The ws-gateway's WebSocket URL. */
  readonly gatewayUrl: string;
}

/**
 * A member online as the web client is: a WebSocket that reconnects (with a short backoff) whenever
 * it closes, and after each `ready` fills the gap from history (`GET …/messages?after=`), dropping
 * duplicates by id. Records which ids arrived live and which by filling.
 */
export class OnlineMember extends EventEmitter<{ ready: [] }> {
  readonly live = new Set<string>();
  readonly filled = new Set<string>();
  reconnects = 0;
  #socket: WebSocket | undefined;
  #stopped = false;
  #newest: string | undefined;
  /** The newest id it had at each `ready`: the start of each gap, filled again later (the persister lags). */
  readonly #anchors: Array<string | undefined> = [];

  constructor(
    readonly warren: WarrenEndpoints,
    readonly user: TestUser,
    readonly sessionId: string,
  ) {
    super();
  }

  has(id: string): boolean {
    return this.live.has(id) || this.filled.has(id);
  }

  /** Connects; resolves at the first `ready`. */
  async start(): Promise<void> {
    const ready = once(this, 'ready');
    this.#connect();
    await ready;
  }

  #connect(): void {
    if (this.#stopped) return;
    const socket = new WebSocket(this.warren.gatewayUrl);
    this.#socket = socket;
    socket.on('open', () => socket.send(JSON.stringify({ type: 'auth', token: this.user.token })));
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString());
      if (frame.type === 'ready') {
        this.#anchors.push(this.#newest);
        void this.fill().then(() => this.emit('ready'));
      } else if (frame.type === 'message' && frame.session_id === this.sessionId) {
        if (!this.has(frame.message.id)) this.live.add(frame.message.id);
        this.#newest = frame.message.id;
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (this.#stopped) return;
      this.reconnects += 1;
      setTimeout(() => this.#connect(), 200);
    });
  }

  /** Fills every gap (from each `ready`'s newest id on), page by page; a failed request is tried again by the next fill. */
  async fill(): Promise<void> {
    for (const anchor of new Set(this.#anchors)) await this.#fillFrom(anchor);
  }

  async #fillFrom(anchor: string | undefined): Promise<void> {
    let from = anchor;
    for (;;) {
      const after = from ? `&after=${from}` : '';
      let answer: Awaited<ReturnType<typeof call>>;
      try {
        answer = await call(
          `${this.warren.chatUrl}/api/sessions/${this.sessionId}/messages?limit=100${after}`,
          'GET',
          this.user.token,
        );
      } catch {
        return;
      }
      if (answer.status !== 200) return;
      const messages: Array<{ id: string }> = from ? answer.body.messages : [...answer.body.messages].reverse();
      for (const message of messages) if (!this.has(message.id)) this.filled.add(message.id);
      const last = messages.at(-1);
      if (!last || !answer.body.has_more) return;
      from = last.id;
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    const socket = this.#socket;
    if (socket && socket.readyState !== WebSocket.CLOSED) {
      // Not `once(socket, 'close')`: a socket still connecting (a member reconnecting) emits
      // 'error' before 'close' when terminated, which would reject it.
      const closed = new Promise((resolve) => socket.once('close', resolve));
      socket.terminate();
      await closed;
    }
  }
}

/** Outcome of one post of a {@link Poster}. */
export interface PostOutcome {
  readonly id: string;
  readonly content: string;
  readonly status: number | 'error';
  readonly at: number;
}

/**
 * A steady stream of posts to a session (one every `intervalMs`, each with its own client-made id
 * and unique content), recording every answer.
 */
export class Poster extends EventEmitter<{ outcome: [PostOutcome] }> {
  readonly outcomes: PostOutcome[] = [];
  #running = true;
  readonly #done: Promise<void>;

  constructor(
    readonly warren: WarrenEndpoints,
    readonly user: TestUser,
    readonly sessionId: string,
    readonly intervalMs = 20,
  ) {
    super();
    this.#done = this.#run();
  }

  async #run(): Promise<void> {
    let n = 0;
    while (this.#running) {
      const id = crypto.randomUUID();
      const content = `chaos ${this.sessionId.slice(0, 8)} #${n++}`;
      let status: number | 'error';
      try {
        const response = await fetch(`${this.warren.chatUrl}/api/sessions/${this.sessionId}/messages`, {
          method: 'POST',
          headers: { authorization: `Bearer ${this.user.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ content, id }),
          signal: AbortSignal.timeout(15_000),
        });
        await response.arrayBuffer();
        status = response.status;
      } catch {
        status = 'error';
      }
      const outcome = { id, content, status, at: Date.now() };
      this.outcomes.push(outcome);
      this.emit('outcome', outcome);
      await new Promise((resolve) => setTimeout(resolve, this.intervalMs));
    }
  }

  /** Resolves with the time of the `count`-th 202 answered after `since`, now or once it arrives. */
  async acceptedAfter(since: number, count = 1): Promise<number> {
    for (;;) {
      const found = this.outcomes.filter((outcome) => outcome.status === 202 && outcome.at > since);
      const nth = found[count - 1];
      if (nth) return nth.at;
      await once(this, 'outcome');
    }
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.#done;
  }

  get accepted(): PostOutcome[] {
    return this.outcomes.filter((outcome) => outcome.status === 202);
  }
}

/** Where a scenario's stored rows are read from. */
export interface StoredRows {
  storedRows(sessionId: string): Promise<Array<{ id: string; content: string }>>;
}

/** What a fault scenario's posts came to, counted the same way in every chaos suite. */
export interface Tally {
  /** The posts answered 202. */
  readonly accepted: PostOutcome[];
  /** The rows stored for the session. */
  readonly stored: number;
  /** Contents stored more than once. */
  readonly duplicates: number;
  /** Accepted posts that were not stored. */
  readonly lost: PostOutcome[];
  /** The other answers, as `N×status`, or `0`. */
  readonly refused: string;
  /** A member's accepted messages received live and by the gap fill, as `live/filled`. */
  liveFilled(member: OnlineMember): string;
}

/**
 * Counts a stopped {@link Poster}'s posts once the persisters (other processes) stored every
 * accepted one, or 30 s passed; then lets the members fill the rest of their gaps, as the web
 * client asks again after a short wait (for up to 20 s).
 */
export async function tally(
  store: StoredRows,
  sessionId: string,
  poster: Poster,
  members: readonly OnlineMember[],
): Promise<Tally> {
  const accepted = poster.accepted;
  const rows = await eventually(
    async () => {
      const found = await store.storedRows(sessionId);
      const ids = new Set(found.map((row) => row.id));
      return accepted.every((outcome) => ids.has(outcome.id)) && found;
    },
    { timeoutMs: 30_000, intervalMs: 200 },
  ).catch(async () => store.storedRows(sessionId));
  const storedIds = new Set(rows.map((row) => row.id));
  const byContent = new Map<string, number>();
  for (const row of rows) byContent.set(row.content, (byContent.get(row.content) ?? 0) + 1);
  await eventually(
    async () => {
      for (const member of members) await member.fill();
      return members.every((member) => accepted.every((outcome) => member.has(outcome.id)));
    },
    { timeoutMs: 20_000, intervalMs: 250 },
  ).catch(() => undefined);
  const refused = new Map<string, number>();
  for (const outcome of poster.outcomes) {
    if (outcome.status !== 202) refused.set(String(outcome.status), (refused.get(String(outcome.status)) ?? 0) + 1);
  }
  const acceptedIds = [...new Set(accepted.map((outcome) => outcome.id))];
  return {
    accepted,
    stored: rows.length,
    duplicates: [...byContent.values()].filter((count) => count > 1).length,
    lost: accepted.filter((outcome) => !storedIds.has(outcome.id)),
    refused: [...refused].map(([status, count]) => `${count}×${status}`).join(', ') || '0',
    liveFilled: (member) =>
      `${acceptedIds.filter((id) => member.live.has(id)).length}/${acceptedIds.filter((id) => member.filled.has(id)).length}`,
  };
}

/**
 * auth for a chaos suite (cheap bcrypt, no registration limit) on the suite's own broker and
 * database; should it not start, `cleanup` removes them before the error is thrown on.
 */
export async function startChaosAuth(
  rabbitmqUrl: string,
  postgres: PrivatePostgres,
  cleanup: () => Promise<unknown>,
): Promise<ServiceProcess> {
  return ServiceProcess.start('auth', {
    PORT: '0',
    RABBITMQ_URL: rabbitmqUrl,
    DATABASE_URL: postgres.url(),
    BCRYPT_COST: '4',
    REGISTER_MAX_PER_ADDRESS: '100000',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'warren-chaos-auth-')),
  }).catch(async (error: unknown) => {
    await cleanup();
    throw error;
  });
}

/** Prints a suite's results as a Markdown table, and appends its rows to `CHAOS_RESULTS` when set. */
export function printTable(header: readonly string[], rows: readonly (readonly unknown[])[]): void {
  console.log(`\n| ${header.join(' | ')} |`);
  console.log(`|${header.map(() => '---|').join('')}`);
  for (const row of rows) {
    const line = `| ${row.join(' | ')} |`;
    console.log(line);
    if (process.env.CHAOS_RESULTS) appendFileSync(process.env.CHAOS_RESULTS, `${line}\n`);
  }
}

/** The rows of `history.messages` of a session in `db`: id and content. */
export function storedRowsOf(db: Knex, sessionId: string): Promise<Array<{ id: string; content: string }>> {
  return db
    .withSchema(databaseSchemas.history)
    .from('messages')
    .where({ session_id: sessionId })
    .select('id', 'content');
}
