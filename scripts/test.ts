// `npm test`: the unit tier first (every `*.test.ts` that is not `*.integration.test.ts`, with no
// broker or database reachable), then type-check, lint and the integration tier against the real
// RabbitMQ and PostgreSQL, files spread over worker processes that each own a vhost and a database
// made for this run and removed at the end. The last line is `N passed, N failed` over everything.
// Usage: npm test [-- [--unit] [--jobs N] file-or-folder …]   (docs/testing.md)
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { amqpUsers, declareDeploymentTopology, permissions } from '@warren/shared/amqp';
import { parseEnv, variables } from '@warren/shared/config';
import type { ManagementClient } from '@warren/shared/management';
import amqp from 'amqplib';
import Mocha from 'mocha';
import pg from 'pg';
import { checkManagement, checkRabbitMq, connectPostgresAdmin, PreflightError } from './preflight.ts';

const root = join(import.meta.dirname, '..');
const DEFAULT_ROOTS = ['shared/test', 'services', 'cli/test', 'test', 'web/test'];
/** Leftovers of runs that died without cleaning up are removed once this old. */
const STALE_AFTER_MS = 6 * 3600_000;
/** The first argument that makes this script a worker: it runs the files it is sent over IPC. */
const WORKER_FLAG = '--worker';
/** The line a worker prints on stdout after a file's own output: `<marker> <passes> <failures>`. */
const DONE_MARKER = '@@warren-test-file-done';
/**
 * Integration files that run one at a time, on the first worker (alongside the others' files): they
 * stop and start private brokers and databases against timeouts (chaos), drive Chromium, or start
 * Warren's processes (start script).
 */
const SERIAL = ['test/chaos/', 'test/scripts/start.integration.test.ts', 'web/test/'];
/** The unit tier's environment: no broker or database to find, and `testConfig()` refusing to run. */
const UNIT_ENV = {
  RABBITMQ_URL: 'amqp://guest:guest@127.0.0.1:1/',
  RABBITMQ_MANAGEMENT_URL: 'http://guest:guest@127.0.0.1:1/api',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none',
  WARREN_TEST_TIER: 'unit',
};

const isIntegration = (file: string): boolean => file.endsWith('.integration.test.ts');
const isSerial = (file: string): boolean => SERIAL.some((prefix) => relative(root, file).startsWith(prefix));

function findTests(paths: readonly string[]): string[] {
  const found: string[] = [];
  const walk = (path: string): void => {
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) return;
    if (stat.isFile()) {
      if (path.endsWith('.test.ts')) found.push(path);
      return;
    }
    for (const entry of readdirSync(path)) if (entry !== 'node_modules') walk(join(path, entry));
  };
  for (const path of paths) walk(resolve(root, path));
  return found.filter((file) => paths !== DEFAULT_ROOTS || relative(root, file).split('/').includes('test')).sort();
}

/** What one job counted. */
interface Tally {
  passed: number;
  failed: number;
}

/** One unit of work for the pool: a test file run by a worker, or a check run as a command. */
interface Job {
  readonly name: string;
  run(slot: Slot): Promise<{ tally: Tally; output: string }>;
}

/** A place a job runs: the environment its worker gets, and that worker once started. */
class Slot {
  private worker: ChildProcess | undefined;
  private lines: string[] = [];
  private finish: ((tally: Tally | undefined) => void) | undefined;

  constructor(
    readonly index: number,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /** Runs one test file in this slot's worker; a worker that dies mid-file counts one failure and is replaced. */
  runFile(file: string): Promise<{ tally: Tally; output: string }> {
    const worker = this.ensureWorker();
    this.lines = [];
    return new Promise((resolve) => {
      this.finish = (tally) => {
        this.finish = undefined;
        const output = this.lines.join('\n');
        resolve({ tally: tally ?? { passed: 0, failed: 1 }, output: tally ? output : `${output}\n  ✘ worker died` });
      };
      worker.send({ file });
    });
  }

  /** Lets the worker exit on its own (a kill would skip its `exit` handlers, which stop private brokers). */
  stop(): void {
    if (this.worker?.connected) this.worker.disconnect();
    this.worker = undefined;
  }

  private ensureWorker(): ChildProcess {
    if (this.worker) return this.worker;
    const worker = spawn(process.execPath, [...process.execArgv, import.meta.filename, WORKER_FLAG], {
      cwd: root,
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const collect = (line: string): void => {
      if (line.startsWith(DONE_MARKER)) {
        const [passed, failed] = line.slice(DONE_MARKER.length).trim().split(' ').map(Number);
        this.finish?.({ passed: passed ?? 0, failed: failed ?? 1 });
      } else this.lines.push(line);
    };
    createInterface({ input: worker.stdout as NodeJS.ReadableStream }).on('line', collect);
    createInterface({ input: worker.stderr as NodeJS.ReadableStream }).on('line', (line) => this.lines.push(line));
    worker.on('exit', () => {
      // A worker let go by stop() has no file of this slot's to fail.
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.finish?.(undefined);
    });
    this.worker = worker;
    return worker;
  }
}

const fileJob = (file: string): Job => ({ name: relative(root, file), run: (slot) => slot.runFile(file) });

/** A command counted as one test (type-check, lint); it needs no worker. */
const checkJob = (name: string, command: string, args: readonly string[]): Job => ({
  name: `${name}: ${command} ${args.join(' ')}`,
  run: () =>
    new Promise((resolve) => {
      const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      for (const stream of [child.stdout, child.stderr]) stream.on('data', (chunk: Buffer) => (output += chunk));
      child.on('close', (code) => {
        const ok = code === 0;
        resolve({
          tally: { passed: ok ? 1 : 0, failed: ok ? 0 : 1 },
          output: `${output.trimEnd()}\n${ok ? `  ✔ ${name}` : `  ✘ ${name} failed`}`,
        });
      });
    }),
});

/**
 * Runs the jobs on `slots`, each slot taking the next job when its last one ends: the first slot
 * works through `serial` (never two of them at once) before it helps with `parallel`. Prints each
 * job's output whole when it ends, so parallel files never interleave.
 */
async function runPool(
  parallel: readonly Job[],
  serial: readonly Job[],
  slots: readonly Slot[],
  timings: Map<string, number>,
): Promise<Tally> {
  const total: Tally = { passed: 0, failed: 0 };
  const queue = [...parallel];
  const serialQueue = [...serial];
  const drain = async (slot: Slot): Promise<void> => {
    const next = (): Job | undefined => (slot === slots[0] ? serialQueue.shift() : undefined) ?? queue.shift();
    for (let job = next(); job; job = next()) {
      const started = performance.now();
      const { tally, output } = await job.run(slot);
      const seconds = (performance.now() - started) / 1000;
      timings.set(job.name, seconds);
      console.log(`\n── ${job.name} (${seconds.toFixed(1)} s, worker ${slot.index})${output ? `\n${output}` : ''}`);
      total.passed += tally.passed;
      total.failed += tally.failed;
    }
  };
  await Promise.all(slots.map(drain));
  return total;
}

/** Worker mode: runs each file it is sent in a fresh mocha, then prints the done marker with the counts. */
function runWorker(): void {
  // Runs are strictly one after the other: the parent sends the next file only after the marker.
  process.on('message', async ({ file }: { file: string }) => {
    const mocha = new Mocha({ timeout: 30_000, slow: 2_000, reporter: 'spec' });
    mocha.addFile(file);
    let passes = 0;
    let failures = 1;
    try {
      await mocha.loadFilesAsync();
      const stats = await new Promise<Mocha.Stats | undefined>((resolve) => {
        const runner = mocha.run(() => resolve(runner.stats));
      });
      passes = stats?.passes ?? 0;
      failures = stats?.failures ?? 1;
    } catch (error) {
      console.log(error);
    }
    // A mocha left undisposed keeps its process listeners, one set per file run in this worker.
    mocha.dispose();
    process.stdout.write(`${DONE_MARKER} ${passes} ${failures}\n`);
  });
  // The parent is done with it (or died): exit, which runs the tests' `exit` handlers.
  process.on('disconnect', () => process.exit(0));
}

/** `--jobs N` and `--unit` out of the arguments; the rest are files or folders. */
function parseArguments(args: readonly string[]): { paths: string[]; unitOnly: boolean; jobs: number } {
  const paths: string[] = [];
  let unitOnly = false;
  let jobs = availableParallelism();
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] as string;
    if (arg === '--unit') unitOnly = true;
    else if (arg === '--jobs' || arg.startsWith('--jobs=')) {
      const value = Number(arg === '--jobs' ? args[++i] : arg.slice('--jobs='.length));
      if (!Number.isInteger(value) || value < 1) throw new PreflightError('--jobs takes a whole number of at least 1');
      jobs = value;
    } else paths.push(arg);
  }
  return { paths, unitOnly, jobs };
}

async function removeStale(management: ManagementClient, admin: pg.Client): Promise<void> {
  const tooOld = (name: string): boolean => {
    const stamp = Number.parseInt(name.split(/[-_]/)[2] ?? '', 36);
    return Number.isFinite(stamp) && Date.now() - stamp > STALE_AFTER_MS;
  };
  const vhosts = await management.request<{ name: string }[]>('GET', '/vhosts');
  for (const { name } of vhosts)
    if (name.startsWith('warren-test-') && tooOld(name)) await management.deleteVhost(name);
  const { rows } = await admin.query<{ datname: string }>(
    "select datname from pg_database where datname like 'warren_test_%'",
  );
  for (const { datname } of rows) {
    if (tooOld(datname)) await admin.query(`drop database if exists ${pg.escapeIdentifier(datname)} with (force)`);
  }
}

/** The run's AMQP user standing for a deployment user: `warren-test-<workspace id>-<user>`. */
const testUserName = (id: string, role: string): string => `warren-test-${id}-${role}`;

/**
 * One worker's isolation: a vhost `warren-test-<id>` with the deployment topology, a database
 * `warren_test_<id>`, and one AMQP user per deployment user with its permissions there.
 */
class Workspace {
  readonly vhost: string;
  readonly database: string;

  constructor(
    readonly id: string,
    private readonly management: ManagementClient,
    private readonly admin: pg.Client,
  ) {
    this.vhost = `warren-test-${id}`;
    this.database = `warren_test_${id.replaceAll('-', '_')}`;
  }

  /** Creates it all; resolves with the `WARREN_TEST_*` variables that `testConfig()` reads. */
  async create(config: { RABBITMQ_URL: string; RABBITMQ_MANAGEMENT_URL: string; DATABASE_URL: string }) {
    const amqpUser = decodeURIComponent(new URL(config.RABBITMQ_URL).username) || 'guest';
    await this.management.createVhost(this.vhost);
    await this.management.setPermissions(this.vhost, amqpUser, { configure: '.*', write: '.*', read: '.*' });
    await this.admin.query(`create database ${pg.escapeIdentifier(this.database)}`);

    const amqpUrl = new URL(config.RABBITMQ_URL);
    amqpUrl.pathname = `/${encodeURIComponent(this.vhost)}`;
    const databaseUrl = new URL(config.DATABASE_URL);
    databaseUrl.pathname = `/${this.database}`;
    const connection = await amqp.connect(amqpUrl.toString());
    const channel = await connection.createChannel();
    await declareDeploymentTopology(channel);
    await connection.close();

    const users: Record<string, { name: string; url: string }> = {};
    for (const role of amqpUsers) {
      const name = testUserName(this.id, role);
      const password = randomBytes(12).toString('hex');
      await this.management.request('PUT', `/users/${encodeURIComponent(name)}`, { password, tags: '' });
      await this.management.setPermissions(this.vhost, name, permissions[role]);
      const url = new URL(amqpUrl);
      url.username = encodeURIComponent(name);
      url.password = encodeURIComponent(password);
      users[role] = { name, url: url.toString() };
    }
    return {
      WARREN_TEST_RABBITMQ_URL: amqpUrl.toString(),
      WARREN_TEST_VHOST: this.vhost,
      WARREN_TEST_MANAGEMENT_URL: config.RABBITMQ_MANAGEMENT_URL,
      WARREN_TEST_DATABASE_URL: databaseUrl.toString(),
      WARREN_TEST_AMQP_USERS: JSON.stringify(users),
    };
  }

  /** Removes what `create` made (or the part of it that exists), logging what it could not. */
  async remove(): Promise<void> {
    await this.management
      .deleteVhost(this.vhost)
      .catch((error: unknown) => console.error(`could not delete vhost ${this.vhost}:`, error));
    for (const role of amqpUsers) {
      const name = testUserName(this.id, role);
      await this.management
        .deleteUser(name)
        .catch((error: unknown) => console.error(`could not delete user ${name}:`, error));
    }
    await this.admin
      .query(`drop database if exists ${pg.escapeIdentifier(this.database)} with (force)`)
      .catch((error: unknown) => console.error(`could not drop database ${this.database}:`, error));
  }
}

/** The environment without any `WARREN_TEST_*` variable, plus `extra`. */
function environment(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('WARREN_TEST_')));
  return { ...env, ...extra };
}

function printSlowest(timings: Map<string, number>): void {
  const slowest = [...timings].sort((a, b) => b[1] - a[1]).slice(0, 8);
  if (slowest.length === 0) return;
  console.log('\nslowest:');
  for (const [name, seconds] of slowest) console.log(`  ${seconds.toFixed(1).padStart(6)} s  ${name}`);
}

async function main(total: Tally): Promise<void> {
  const { paths, unitOnly, jobs } = parseArguments(process.argv.slice(2));
  const files = findTests(paths.length > 0 ? paths : DEFAULT_ROOTS);
  const unitFiles = files.filter((file) => !isIntegration(file));
  const integrationFiles = files.filter(isIntegration);
  const timings = new Map<string, number>();
  const runStarted = performance.now();

  if (unitFiles.length > 0) {
    const workers = Math.min(jobs, unitFiles.length);
    console.log(`unit tier: ${unitFiles.length} files, ${workers} workers, no broker or database`);
    const started = performance.now();
    const slots = Array.from({ length: workers }, (_, index) => new Slot(index, environment(UNIT_ENV)));
    const unit = await runPool(unitFiles.map(fileJob), [], slots, timings);
    for (const slot of slots) slot.stop();
    total.passed += unit.passed;
    total.failed += unit.failed;
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`\nunit tier: ${unit.passed} passed, ${unit.failed} failed in ${seconds} s`);
  }
  if (unitOnly) return;

  const config = parseEnv(
    {
      RABBITMQ_URL: variables.RABBITMQ_URL,
      RABBITMQ_MANAGEMENT_URL: variables.RABBITMQ_MANAGEMENT_URL,
      DATABASE_URL: variables.DATABASE_URL,
      LOG_LEVEL: variables.LOG_LEVEL,
    },
    process.env,
  );
  await checkRabbitMq(config.RABBITMQ_URL);
  const management = await checkManagement(config.RABBITMQ_MANAGEMENT_URL);
  const admin = await connectPostgresAdmin(config.DATABASE_URL);

  const runId = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const workspaces = Array.from(
    { length: Math.max(1, Math.min(jobs, integrationFiles.length)) },
    (_, index) => new Workspace(`${runId}-w${index}`, management, admin),
  );
  const slots: Slot[] = [];
  try {
    await removeStale(management, admin);
    for (const workspace of workspaces) slots.push(new Slot(slots.length, environment(await workspace.create(config))));
    const names = workspaces.map(({ vhost, database }) => `${vhost}/${database}`).join(', ');
    console.log(`\ntest run ${runId}: ${integrationFiles.length} integration files in ${names}`);

    const checks =
      paths.length > 0
        ? []
        : [
            checkJob('type-check', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']),
            checkJob('type-check web', 'npx', ['tsc', '--noEmit', '-p', 'web/tsconfig.json']),
            checkJob('type-check bench', 'npx', ['tsc', '--noEmit', '-p', 'bench/tsconfig.json']),
            checkJob('lint', 'npx', ['biome', 'check', '.']),
          ];
    const parallel = [...checks, ...integrationFiles.filter((file) => !isSerial(file)).map(fileJob)];
    const serial = integrationFiles.filter(isSerial).map(fileJob);
    const tally = await runPool(parallel, serial, slots, timings);
    total.passed += tally.passed;
    total.failed += tally.failed;
  } finally {
    for (const slot of slots) slot.stop();
    for (const workspace of workspaces) await workspace.remove();
    await admin.end();
    printSlowest(timings);
    console.log(`\nwall time ${((performance.now() - runStarted) / 1000).toFixed(1)} s`);
  }
}

if (process.argv[2] === WORKER_FLAG) runWorker();
else {
  const total: Tally = { passed: 0, failed: 0 };
  main(total).then(
    () => {
      console.log(`\n${total.passed} passed, ${total.failed} failed`);
      process.exit(total.failed === 0 && total.passed > 0 ? 0 : 1);
    },
    (error: unknown) => {
      console.error(error instanceof PreflightError ? `\n${error.message}` : error);
      console.log(`\n${total.passed} passed, ${total.failed + 1} failed`);
      process.exit(1);
    },
  );
}
