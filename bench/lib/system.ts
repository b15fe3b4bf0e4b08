// Starts what the benchmark needs on loopback: a RabbitMQ node and a database of its own, and
// Warren's four services as processes, as deployed (so their CPU and memory are their own, and the
// load generator's work never delays theirs). Every service connects as its deployment user.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManagementClient } from '@warren/shared/management';
import { ServiceProcess, type TestedService } from '@warren/shared/testing';
import pg from 'pg';
import { connectPostgresAdmin } from '../../scripts/preflight.ts';
import { freePort } from '../../test/support/free-port.ts';
import { DEV_PASSWORDS, PrivateRabbitMq } from '../../test/support/private-rabbitmq.ts';
import type { PrometheusTargets } from './prometheus-targets.ts';

export const root = join(import.meta.dirname, '..', '..');
export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/warren';
/**
 * Who the bench itself publishes as (the Web-STOMP baseline, the persister's backlog, the bare
 * express route): chat-api's user, so the persister and the gateway believe its author headers as
 * they believe chat-api's, and its messages are the same bytes chat-api would send.
 */
export const PUBLISHER = 'chat-api';
/** The services' log level: `info` at least, since a service is up once it logs that it listens. */
const LOG_LEVEL = process.env.BENCH_LOG_LEVEL ?? 'info';

/** The deployment's AMQP users (rabbitmq/definitions.json), which the services run as. */
export type BenchAmqpUser = keyof typeof DEV_PASSWORDS;

export interface BenchEnv {
  /** The bench's own RabbitMQ node. */
  rabbit: PrivateRabbitMq;
  /** `warren`, as deployed. */
  vhost: string;
  /** The AMQP URL of a deployment user. */
  amqpUrl(user: BenchAmqpUser): string;
  /** The management API as the administrator, credentials in the URL. */
  managementUrl: string;
  /** `ws://127.0.0.1:<port>/ws` of the node's Web-STOMP plugin. */
  stompUrl: string;
  /** STOMP login of the Web-STOMP baseline's subscribers (the administrator: they declare their own queues). */
  stompLogin: { login: string; passcode: string };
  databaseUrl: string;
  management: ManagementClient;
  remove(): Promise<void>;
}

/**
 * A RabbitMQ node of the bench's own, booted from the deployment's definitions with Web-STOMP and
 * the hard open-file limit (so neither the machine's shared broker nor its tests are loaded, and the
 * services run as their deployment users under their real permissions), and a database of its own
 * on the machine's PostgreSQL.
 */
export async function createEnv(options: { prometheus?: boolean } = {}): Promise<BenchEnv> {
  // 1000 Web-STOMP subscribers are 1000 broker sockets, which a soft limit of 1024 files (some 830
  // sockets, this machine's shared broker) cannot hold: the node gets the hard limit.
  const rabbit = await PrivateRabbitMq.start({
    webStomp: true,
    raiseFileLimit: true,
    prometheus: options.prometheus === true,
  });
  const runId = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const database = `warren_bench_${runId.replace('-', '_')}`;
  // The bench's database does not exist yet (nor, on a fresh machine, DATABASE_URL's own).
  const admin = await connectPostgresAdmin(DATABASE_URL).catch(async (error: unknown) => {
    await rabbit.remove();
    throw error;
  });
  await admin.query(`create database ${pg.escapeIdentifier(database)}`);
  const databaseUrl = new URL(DATABASE_URL);
  databaseUrl.pathname = `/${database}`;
  const managementUrl = rabbit.managementUrl('admin', DEV_PASSWORDS.admin);
  return {
    rabbit,
    vhost: 'warren',
    amqpUrl: (user) => rabbit.url(user, DEV_PASSWORDS[user]),
    managementUrl,
    stompUrl: `ws://127.0.0.1:${rabbit.webStompPort}/ws`,
    stompLogin: { login: 'admin', passcode: DEV_PASSWORDS.admin },
    databaseUrl: databaseUrl.toString(),
    management: new ManagementClient(managementUrl),
    async remove() {
      await rabbit.remove().catch((e: unknown) => console.error('remove the bench broker:', e));
      await admin
        .query(`drop database if exists ${pg.escapeIdentifier(database)} with (force)`)
        .catch((e: unknown) => console.error(`drop database ${database}:`, e));
      await admin.end();
    },
  };
}

/** What a service needs of its environment: the one node of {@link BenchEnv}, or a cluster's nodes (bench/lib/cluster-env.ts). */
export type ServiceEnv = Pick<BenchEnv, 'amqpUrl' | 'databaseUrl'>;

/** Options of a service the bench starts. */
export interface StartOptions {
  /** Write a V8 CPU profile of the process to this folder when it exits. */
  cpuProfDir?: string;
}

/** Where every service started from now on is listed for Prometheus (`--prometheus`), if anywhere. */
let prometheusTargets: PrometheusTargets | undefined;

/** Lists every service the bench starts from now on in `targets`, until its process exits. */
export function exposeToPrometheus(targets: PrometheusTargets): void {
  prometheusTargets = targets;
}

/** A service as deployed, in a process of its own, on a free port. */
async function startService(
  name: TestedService,
  env: Record<string, string>,
  options: StartOptions,
): Promise<ServiceProcess> {
  const nodeFlags = options.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`] : [];
  const service = await ServiceProcess.start(name, { PORT: '0', LOG_LEVEL, ...env }, { nodeFlags });
  prometheusTargets?.watch(service);
  return service;
}

export function startAuth(env: BenchEnv): Promise<ServiceProcess> {
  return startService(
    'auth',
    {
      RABBITMQ_URL: env.amqpUrl('auth'),
      DATABASE_URL: env.databaseUrl,
      BCRYPT_COST: '4',
      // A full run lasts over 15 minutes (the default), and its last scenarios use the first tokens.
      ACCESS_TOKEN_TTL_SEC: '7200',
      REGISTER_MAX_PER_ADDRESS: '100000',
      LOGIN_MAX_ATTEMPTS_PER_ADDRESS: '1000000',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'warren-bench-auth-')),
    },
    {},
  );
}

/** chat-api (sharing the load generator's event loop would skew every latency); `extra` overrides its variables. */
export function startChatApi(
  env: ServiceEnv,
  authUrl: string,
  options: StartOptions = {},
  extra: Record<string, string> = {},
): Promise<ServiceProcess> {
  return startService(
    'chat-api',
    {
      RABBITMQ_URL: env.amqpUrl('chat-api'),
      DATABASE_URL: env.databaseUrl,
      AUTH_URL: authUrl,
      POST_RATE_PER_SEC: '10000',
      POST_BURST: '100000',
      ...extra,
    },
    options,
  );
}

export function startPersister(
  env: ServiceEnv,
  extra: Record<string, string> = {},
  options: StartOptions = {},
): Promise<ServiceProcess> {
  return startService(
    'persister',
    { RABBITMQ_URL: env.amqpUrl('persister'), DATABASE_URL: env.databaseUrl, TRUSTED_PUBLISHERS: PUBLISHER, ...extra },
    options,
  );
}

export function startGateway(env: ServiceEnv, authUrl: string, options: StartOptions = {}): Promise<ServiceProcess> {
  return startService(
    'ws-gateway',
    { RABBITMQ_URL: env.amqpUrl('ws-gateway'), AUTH_URL: authUrl, TRUSTED_PUBLISHERS: PUBLISHER },
    options,
  );
}

/** Reads one Prometheus sample from a service's /metrics. */
export async function metric(service: ServiceProcess, name: string): Promise<number> {
  const text = await (await fetch(`${service.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line ? Number(line.split(' ').pop()) : Number.NaN;
}

/** The baselines' servers, each a script of bench/lib/ run as a process of its own. */
export type BaselineScript = 'bare-server' | 'bare-route' | 'queue-baseline';

/**
 * A baseline in a process of its own (like the service it is compared with): the bare `ws` hub
 * (bench/lib/bare-server.ts), the bare express confirm-publish route (bare-route.ts), the
 * per-client-queue consumer (queue-baseline.ts). Each serves `GET /readyz` once it is ready.
 */
export class BaselineProcess {
  readonly process: ChildProcess;
  readonly port: number;

  private constructor(child: ChildProcess, port: number) {
    this.process = child;
    this.port = port;
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  static async start(script: BaselineScript, env: Record<string, string> = {}): Promise<BaselineProcess> {
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', `bench/lib/${script}.ts`], {
      cwd: root,
      env: { ...process.env, ...env, PORT: String(port) },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${script} exited with ${child.exitCode}`);
      const ok = await fetch(`http://127.0.0.1:${port}/readyz`)
        .then((r) => r.ok)
        .catch(() => false);
      if (ok) return new BaselineProcess(child, port);
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`${script} was not ready within 30 s`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async stop(): Promise<void> {
    if (this.process.exitCode !== null) return;
    const exited = new Promise((resolve) => this.process.once('exit', resolve));
    this.process.kill('SIGTERM');
    await exited;
  }
}

export interface User {
  id: string;
  username: string;
  token: string;
}

const PASSWORD = 'correct horse battery';

export async function call(url: string, method: string, token?: string, body?: unknown) {
  const response = await fetch(url, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  // biome-ignore lint/suspicious/noExplicitAny: the bench reads a few fields of JSON answers.
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as any };
}

/** Registers `count` users (16 at a time), logs them in and makes chat-api know them. */
export async function registerUsers(authUrl: string, chatUrl: string, count: number): Promise<User[]> {
  const users: User[] = [];
  let next = 0;
  const lane = async () => {
    while (next < count) {
      next += 1;
      const username = `b_${randomBytes(6).toString('hex')}`;
      const r = await call(`${authUrl}/auth/register`, 'POST', undefined, { username, password: PASSWORD });
      if (r.status !== 201) throw new Error(`register: ${r.status} ${JSON.stringify(r.body)}`);
      const login = await call(`${authUrl}/auth/login`, 'POST', undefined, { username, password: PASSWORD });
      if (login.status !== 200) throw new Error(`login: ${login.status}`);
      const user = { id: login.body.user.id, username, token: login.body.access_token };
      await call(`${chatUrl}/api/users?q=`, 'GET', user.token);
      users.push(user);
    }
  };
  await Promise.all(Array.from({ length: 16 }, lane));
  return users;
}

/** A group session owned by `members[0]` with all of `members`; its id. */
export async function createSession(chatUrl: string, members: User[]): Promise<string> {
  const [owner, ...rest] = members;
  if (!owner) throw new Error('a session needs an owner');
  const r = await call(`${chatUrl}/api/sessions`, 'POST', owner.token, {
    name: `bench ${randomBytes(3).toString('hex')}`,
    members: rest.map((m) => m.username),
  });
  if (r.status !== 201) throw new Error(`create session: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.id;
}
