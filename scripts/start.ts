// `npm start`: makes sure the database exists and the broker has Warren's topology, builds the web
// client, starts every service as a child process with readable logs, waits until each is ready,
// serves the web client at one origin (Vite's preview server, proxying the services' paths) and
// prints its URL. Ctrl-C (or SIGTERM) stops them all and leaves no process behind. Everything listens
// on HOST (127.0.0.1 unless set), and a port already taken stops it at once, in one line.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { declareDeploymentTopology, splitBrokerUrls, userOfUrl } from '@warren/shared/amqp';
import { ConfigError, parseEnv, portVariable, variables } from '@warren/shared/config';
import amqp from 'amqplib';
import { build, type PreviewServer, preview } from 'vite';
import { z } from 'zod';
import { webConfig } from '../web/vite.config.ts';
import { checkPortsFree, checkRabbitMq, connectPostgresAdmin, ensureDatabase, PreflightError } from './preflight.ts';
import { portVariableOf, services, web } from './services.ts';

const root = join(import.meta.dirname, '..');
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 12_000;
const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

const configShape = {
  RABBITMQ_URL: variables.RABBITMQ_URL,
  DATABASE_URL: variables.DATABASE_URL,
  AUTH_URL: z.url().optional(),
  HOST: variables.HOST,
};
const portShape = Object.fromEntries(
  [...services, web].map((listener) => [portVariableOf(listener), portVariable(listener.port)]),
);

/** Parses the environment; a bad value stops npm start with the message naming it, not a stack trace. */
function parseOrExit<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}

const config = parseOrExit(() => parseEnv({ ...portShape, ...configShape }, process.env));
const ports = config as unknown as Record<string, number>;
const portOf = (listener: { name: string; port: number }): number => ports[portVariableOf(listener)] ?? listener.port;
const webPort = portOf(web);
/** Where this machine reaches what listens on HOST (any address: over loopback). */
const reachable = config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST === '::' ? '::1' : config.HOST;
const urlHost = reachable.includes(':') ? `[${reachable}]` : reachable;
const webUrl = `http://${urlHost}:${webPort}`;
const amqpUser = userOfUrl(new URL(splitBrokerUrls(config.RABBITMQ_URL)[0] as string));

/** Where a service listens under `npm start`, for the web origin's proxy. */
function upstreamOf(name: string): string {
  const service = services.find((candidate) => candidate.name === name);
  if (service === undefined) throw new Error(`scripts/services.ts lists no ${name}`);
  return `http://${urlHost}:${portOf(service)}`;
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
    const ok = await fetch(`http://${urlHost}:${port}/readyz`, { signal: AbortSignal.timeout(1000) })
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
const children: ChildProcess[] = [];
let webServer: PreviewServer | undefined;
let stopping = false;

/** Stops the web origin and every service started so far, then exits with `code`. */
async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  if (children.length > 0) console.log('\nStopping Warren…');
  await webServer?.close();
  await stopAll(children);
  process.exit(code);
}

async function main(): Promise<void> {
  await checkPortsFree(config.HOST, [
    ...services.map((service) => ({ name: service.name, port: portOf(service), variable: portVariableOf(service) })),
    { name: 'the web client', port: webPort, variable: portVariableOf(web) },
  ]);
  const node = await checkRabbitMq(config.RABBITMQ_URL);
  const admin = await connectPostgresAdmin(config.DATABASE_URL);
  try {
    await ensureDatabase(admin, decodeURIComponent(new URL(config.DATABASE_URL).pathname.slice(1)));
  } finally {
    await admin.end();
  }
  const connection = await amqp.connect(node);
  await declareDeploymentTopology(await connection.createChannel());
  await connection.close();

  // Built before anything starts, so a client that does not build stops npm start at once.
  console.log('Building the web client…');
  await build(webConfig());

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
          HOST: config.HOST,
          AUTH_URL: config.AUTH_URL ?? upstreamOf(auth.name),
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
      host: config.HOST,
      port: webPort,
      upstreams: { auth: upstreamOf('auth'), chatApi: upstreamOf('chat-api'), wsGateway: upstreamOf('ws-gateway') },
    }),
  );
  console.log(`\nWarren is running: open ${webUrl}/ (Ctrl-C stops it).`);
}

main().catch(async (error: unknown) => {
  console.error(error instanceof PreflightError ? error.message : error);
  await stop(1);
});
