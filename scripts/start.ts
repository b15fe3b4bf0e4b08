// `npm start`: makes sure the database exists and the broker has Warren's topology, builds the web
// client, starts every service as a child process with readable logs, waits until each is ready,
// serves the web client at one origin (Vite's preview server, proxying the services' paths) and
// prints its URL. Ctrl-C (or SIGTERM) stops them all and leaves no process behind.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { declareDeploymentTopology, parseEnv, portVariable, variables } from '@warren/shared';
import amqp from 'amqplib';
import { build, type PreviewServer, preview } from 'vite';
import { z } from 'zod';
import { webConfig } from '../web/vite.config.ts';
import { checkRabbitMq, connectPostgresAdmin, ensureDatabase, PreflightError } from './preflight.ts';
import { portVariableOf, services, web } from './services.ts';

const root = join(import.meta.dirname, '..');
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 12_000;
const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

const config = parseEnv(
  {
    RABBITMQ_URL: variables.RABBITMQ_URL,
    DATABASE_URL: variables.DATABASE_URL,
    AUTH_URL: z.url().optional(),
  },
  process.env,
);
const ports = parseEnv(
  Object.fromEntries(services.map((service) => [portVariableOf(service), portVariable(service.port)])),
  process.env,
) as Record<string, number>;
const portOf = (service: (typeof services)[number]): number => ports[portVariableOf(service)] ?? service.port;
const webPort = parseEnv({ [portVariableOf(web)]: portVariable(web.port) }, process.env)[portVariableOf(web)] as number;
const webUrl = `http://127.0.0.1:${webPort}`;
const amqpUser = decodeURIComponent(new URL(config.RABBITMQ_URL).username) || 'guest';

/** Where a service listens under `npm start`, for the web origin's proxy. */
function upstreamOf(name: string): string {
  const service = services.find((candidate) => candidate.name === name);
  if (service === undefined) throw new Error(`scripts/services.ts lists no ${name}`);
  return `http://127.0.0.1:${portOf(service)}`;
}

/** One pino JSON line as `[service] LEVEL message key=value…`; anything else as it is. */
function pretty(service: string, line: string): string {
  try {
    const {
      level,
      msg,
      time: _time,
      service: _service,
      pid: _pid,
      hostname: _host,
      ...rest
    } = JSON.parse(line) as Record<string, unknown>;
    const extra = Object.entries(rest)
      .filter(([, value]) => typeof value !== 'object')
      .map(([key, value]) => `${key}=${String(value)}`)
      .join(' ');
    return `[${service}] ${LEVELS[Number(level)] ?? level} ${String(msg ?? '')} ${extra}`.trimEnd();
  } catch {
    return `[${service}] ${line}`;
  }
}

async function waitReady(name: string, port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode} while starting`);
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(1000) })
      .then((response) => response.ok)
      .catch(() => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${name} was not ready on port ${port} within ${READY_TIMEOUT_MS / 1000} s`);
}

async function stopAll(children: readonly ChildProcess[]): Promise<void> {
  const running = children.filter((child) => child.exitCode === null && child.signalCode === null);
  for (const child of running) child.kill('SIGTERM');
  const killer = setTimeout(() => {
    for (const child of running) child.kill('SIGKILL');
  }, STOP_TIMEOUT_MS);
  await Promise.all(running.map((child) => (child.exitCode === null ? once(child, 'exit') : undefined)));
  clearTimeout(killer);
}

const [auth] = services;

async function main(): Promise<void> {
  await checkRabbitMq(config.RABBITMQ_URL);
  const admin = await connectPostgresAdmin(config.DATABASE_URL);
  try {
    await ensureDatabase(admin, decodeURIComponent(new URL(config.DATABASE_URL).pathname.slice(1)));
  } finally {
    await admin.end();
  }
  const connection = await amqp.connect(config.RABBITMQ_URL);
  await declareDeploymentTopology(await connection.createChannel());
  await connection.close();

  // Built before anything starts, so a client that does not build stops npm start at once.
  console.log('Building the web client…');
  await build(webConfig());

  const children: ChildProcess[] = [];
  let webServer: PreviewServer | undefined;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping Warren…');
    await webServer?.close();
    await stopAll(children);
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  for (const service of services) {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--import', './scripts/exit-with-launcher.mjs', service.entry],
      {
        cwd: root,
        // Each service gets its own port (AUTH_PORT…): one PORT in the environment would make them
        // collide. Services find auth where npm start put it unless AUTH_URL says otherwise.
        env: {
          ...process.env,
          PORT: String(portOf(service)),
          AUTH_URL: config.AUTH_URL ?? `http://127.0.0.1:${portOf(auth)}`,
          // The gateway takes browsers from the web origin, wherever WEB_PORT put it.
          ALLOWED_ORIGINS: process.env.ALLOWED_ORIGINS ?? `${webUrl},http://localhost:${webPort}`,
          // Every service here connects as RABBITMQ_URL's one user, so chat-api publishes as that user:
          // trusted, or its messages would show as a bot's.
          TRUSTED_PUBLISHERS: process.env.TRUSTED_PUBLISHERS ?? amqpUser,
        },
        // stdin is a pipe only this launcher holds: see exit-with-launcher.mjs.
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    children.push(child);
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => console.log(pretty(service.name, line)));
    }
    child.on('exit', (code, signal) => {
      if (!stopping) {
        console.error(`[${service.name}] exited (${signal ?? code}); stopping everything`);
        void stop(1);
      }
    });
    await waitReady(service.name, portOf(service), child);
  }
  webServer = await preview(
    webConfig({
      port: webPort,
      upstreams: { auth: upstreamOf('auth'), chatApi: upstreamOf('chat-api'), wsGateway: upstreamOf('ws-gateway') },
    }),
  );
  console.log(`\nWarren is running: open ${webUrl}/ (Ctrl-C stops it).`);
}

main().catch((error: unknown) => {
  console.error(error instanceof PreflightError ? error.message : error);
  process.exit(1);
});
