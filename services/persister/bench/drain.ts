// The persister draining a backlog against plain batched INSERTs of the same rows (issue 14's
// "persister ≥ 0.8× plain batched INSERTs"), A/B in one run, each side in its own process,
// interleaved (persister, insert, persister, insert, …).
//
//   npx tsx services/persister/bench/drain.ts [--messages=50000] [--rounds=3] [--batch=200] [--persister-batch=N] [--before=DIR] [--cpu-prof=DIR]
//
// --persister-batch=N gives the persister sides another BATCH_SIZE (PREFETCH twice that) than the
// insert side's --batch.
// --cpu-prof=DIR writes a CPU profile of each persister child under DIR/<side>/.
// --before=DIR adds a third side each round, a persister built from another copy of
// services/persister/src (e.g. `git archive HEAD services/persister/src | tar -x -C <dir under this
// repository>` and DIR=<that>/services/persister/src), so an old and a new persister are compared
// in the same run too.
//
// Needs RabbitMQ (with management) and PostgreSQL as `npm test` does (RABBITMQ_URL,
// RABBITMQ_MANAGEMENT_URL, DATABASE_URL; the defaults are the local ones). It makes a vhost
// `warren-bench-persister-<id>` with the deployment topology and a database
// `warren_bench_persister_<id>` (migrated with `npm run migrate`), and removes both at the end.
//
// Each round, for each side, both tables start empty:
// - persister: the backlog is published with confirms to one session's exchange (so it reaches
//   `warren.persister` through `warren.messages`, as chat-api's posts do) while no persister runs;
//   then a child process starts the real service (`startPersisterService`, as main.ts does) and
//   counts its `batch-stored` events until every message is stored.
// - insert: a child process inserts the same rows into `bench.messages` (a copy of history.messages
//   with its indexes), one `insert … on conflict (id) do nothing returning seq, id` per batch, each
//   batch in its own transaction (begin, insert, commit).
// Both children time the same thing: from the end of their first batch to the end of their last
// (rows after the first batch ÷ that time), so process start-up is outside the figure; the
// persister's "ready → done" is printed too. CPU of each child, and of every `postgres` and
// `beam.smp` process on the machine (other work on it shows there too), over the same window.
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { declareDeploymentTopology, exchanges, names, queues } from '@warren/shared/amqp';
import { parseEnv, variables } from '@warren/shared/config';
import { type ChatMessage, encodeChatMessage } from '@warren/shared/envelope';
import { ManagementClient } from '@warren/shared/management';
import amqp from 'amqplib';
import pg from 'pg';
import { z } from 'zod';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const env = parseEnv(
  {
    RABBITMQ_URL: variables.RABBITMQ_URL,
    RABBITMQ_MANAGEMENT_URL: variables.RABBITMQ_MANAGEMENT_URL,
    DATABASE_URL: variables.DATABASE_URL,
    BENCH_SIDE: z.enum(['orchestrator', 'persister', 'insert']).default('orchestrator'),
    BENCH_AMQP_URL: z.string().default(''),
    BENCH_DATABASE_URL: z.string().default(''),
    BENCH_PUBLISHER: z.string().default(''),
    BENCH_ROWS_FILE: z.string().default(''),
    BENCH_PERSISTER_SRC: z.string().default(join(import.meta.dirname, '..', 'src')),
    BENCH_MESSAGES: z.coerce.number().int().default(0),
    BENCH_BATCH: z.coerce.number().int().default(200),
  },
  process.env,
);

/** What a child reports on its last stdout line. */
interface SideResult {
  side: string;
  rows: number;
  /** Rows after the first batch: those the window timed. */
  counted: number;
  /** From the end of the first batch to the end of the last. */
  seconds: number;
  rowsPerSec: number;
  /** This process's CPU over that window, ms. */
  cpuMs: number;
  postgresCpuMs: number;
  brokerCpuMs: number;
  /** Persister only: from the service being ready to the last batch. */
  readyToDoneSeconds?: number;
  batches: number;
}

/** CPU ms (user + system) of every process on the machine whose command is `name`. */
function cpuOfProcesses(name: string): number {
  const tick = 10; // USER_HZ 100 on Linux
  let total = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      if (stat.slice(stat.indexOf('(') + 1, close) !== name) continue;
      const fields = stat.slice(close + 2).split(' ');
      total += (Number(fields[11]) + Number(fields[12])) * tick;
    } catch {
      // The process ended while being read.
    }
  }
  return total;
}

/** Samples this process's, PostgreSQL's and the broker's CPU; `end()` gives the differences. */
function cpuWindow() {
  const own = process.cpuUsage();
  const postgres = cpuOfProcesses('postgres');
  const broker = cpuOfProcesses('beam.smp');
  return () => {
    const used = process.cpuUsage(own);
    return {
      cpuMs: Math.round((used.user + used.system) / 1000),
      postgresCpuMs: cpuOfProcesses('postgres') - postgres,
      brokerCpuMs: cpuOfProcesses('beam.smp') - broker,
    };
  };
}

/** Times batches: the window opens when the first ends and closes when `rows` are done. */
function batchClock(total: number) {
  let first: { at: number; rows: number; cpu: ReturnType<typeof cpuWindow> } | null = null;
  let rows = 0;
  let batches = 0;
  return {
    /** Counts a finished batch; resolves the report once every row is in. */
    done(size: number): Omit<SideResult, 'side' | 'readyToDoneSeconds'> | null {
      rows += size;
      batches += 1;
      if (first === null) first = { at: performance.now(), rows, cpu: cpuWindow() };
      if (rows < total) return null;
      const seconds = (performance.now() - first.at) / 1000;
      const counted = rows - first.rows;
      return { rows, counted, seconds, rowsPerSec: Math.round(counted / seconds), batches, ...first.cpu() };
    },
  };
}

function report(result: SideResult): void {
  process.stdout.write(`@@result ${JSON.stringify(result)}\n`);
}

async function runPersisterSide(): Promise<void> {
  const { createLogger } = await import('@warren/shared/logging');
  const { loadConfig, startPersisterService } = (await import(
    resolve(env.BENCH_PERSISTER_SRC, 'index.ts')
  )) as typeof import('../src/index.ts');
  const config = loadConfig({
    RABBITMQ_URL: env.BENCH_AMQP_URL,
    DATABASE_URL: env.BENCH_DATABASE_URL,
    TRUSTED_PUBLISHERS: env.BENCH_PUBLISHER,
    BATCH_SIZE: String(env.BENCH_BATCH),
    PREFETCH: String(env.BENCH_BATCH * 2),
    PORT: '0',
  });
  const clock = batchClock(env.BENCH_MESSAGES);
  let readyAt = 0;
  let finished: (result: SideResult) => void = () => undefined;
  const all = new Promise<SideResult>((resolve) => {
    finished = resolve;
  });
  const service = await startPersisterService(config, createLogger({ service: 'persister', level: 'warn' }));
  readyAt = performance.now();
  service.persister.on('batch-stored', ({ storedIds }) => {
    const result = clock.done(storedIds.length);
    if (result) finished({ side: 'persister', ...result, readyToDoneSeconds: (performance.now() - readyAt) / 1000 });
  });
  report(await all);
  await service.stop();
}

async function runInsertSide(): Promise<void> {
  const rows = JSON.parse(readFileSync(env.BENCH_ROWS_FILE, 'utf8')) as ChatMessage[];
  const db = new pg.Client({ connectionString: env.BENCH_DATABASE_URL });
  await db.connect();
  const clock = batchClock(rows.length);
  let result: ReturnType<typeof clock.done> = null;
  for (let i = 0; i < rows.length; i += env.BENCH_BATCH) {
    const batch = rows.slice(i, i + env.BENCH_BATCH);
    const values: unknown[] = [];
    const tuples = batch.map((m, j) => {
      const author = m.author as { id: string; username: string };
      values.push(m.id, m.session_id, 'user', author.id, author.username, m.type, m.content, null, m.created_at);
      const b = j * 9;
      return `($${b + 1},$${b + 2},$${b + 3},$${b + 4},$${b + 5},$${b + 6},$${b + 7},$${b + 8},$${b + 9})`;
    });
    await db.query('begin');
    await db.query(
      `insert into bench.messages (id, session_id, author_kind, author_id, author_name, type, content, extra, created_at)
       values ${tuples.join(',')} on conflict (id) do nothing returning seq, id`,
      values,
    );
    await db.query('commit');
    result = clock.done(batch.length);
  }
  await db.end();
  if (result) report({ side: 'insert', ...result });
}

/** Runs one side as a child process of this script; resolves with what it reported. */
async function child(side: string, extra: Record<string, string>): Promise<SideResult> {
  const profile = process.argv.find((a) => a.startsWith('--cpu-prof='))?.slice('--cpu-prof='.length);
  const profiling = profile && side !== 'insert' ? ['--cpu-prof', `--cpu-prof-dir=${profile}/${side}`] : [];
  const proc = spawn(process.execPath, [...profiling, '--import', 'tsx', import.meta.filename], {
    cwd: ROOT,
    env: { ...process.env, BENCH_SIDE: side === 'insert' ? 'insert' : 'persister', ...extra },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let result: SideResult | undefined;
  createInterface({ input: proc.stdout }).on('line', (line) => {
    if (line.startsWith('@@result ')) result = { ...(JSON.parse(line.slice(9)) as SideResult), side };
    else process.stdout.write(`  [${side}] ${line}\n`);
  });
  const [code] = (await once(proc, 'exit')) as [number | null];
  if (!result) throw new Error(`the ${side} side exited ${code} without a result`);
  return result;
}

/** The mean of a side's results over the rounds. */
function mean(results: readonly SideResult[], side: string): SideResult {
  const of = results.filter((r) => r.side === side);
  const avg = (
    key: 'rows' | 'counted' | 'seconds' | 'rowsPerSec' | 'cpuMs' | 'postgresCpuMs' | 'brokerCpuMs' | 'batches',
  ) => of.reduce((sum, r) => sum + r[key], 0) / of.length;
  const ready = of.map((r) => r.readyToDoneSeconds).filter((s) => s !== undefined);
  return {
    side,
    rows: avg('rows'),
    counted: avg('counted'),
    seconds: avg('seconds'),
    rowsPerSec: Math.round(avg('rowsPerSec')),
    cpuMs: Math.round(avg('cpuMs')),
    postgresCpuMs: Math.round(avg('postgresCpuMs')),
    brokerCpuMs: Math.round(avg('brokerCpuMs')),
    batches: avg('batches'),
    ...(ready.length > 0 && { readyToDoneSeconds: ready.reduce((a, b) => a + b, 0) / ready.length }),
  };
}

/** One line for a result: rows/s, and CPU per row counted of each process. */
function describe(r: SideResult): string {
  const perRow = (ms: number) => ((ms * 1000) / r.counted).toFixed(1);
  const ready = r.readyToDoneSeconds === undefined ? '' : `, ready→done ${r.readyToDoneSeconds.toFixed(2)} s`;
  return (
    `${r.side.padEnd(16)} ${String(r.rowsPerSec).padStart(6)} rows/s (${r.seconds.toFixed(2)} s${ready}; µs CPU per row: ` +
    `own ${perRow(r.cpuMs)}, postgres ${perRow(r.postgresCpuMs)}, broker ${perRow(r.brokerCpuMs)})`
  );
}

async function migrate(databaseUrl: string): Promise<void> {
  const proc = spawn('npm', ['run', '--silent', 'migrate'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const [code] = (await once(proc, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`npm run migrate exited ${code}`);
}

async function orchestrate(): Promise<void> {
  const arg = (name: string, fallback: number) =>
    Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
  const messages = arg('messages', 50_000);
  const rounds = arg('rounds', 3);
  const batch = arg('batch', 200);
  const persisterBatch = arg('persister-batch', batch);
  const id = randomBytes(4).toString('hex');
  const vhost = `warren-bench-persister-${id}`;
  const database = `warren_bench_persister_${id}`;
  const management = new ManagementClient(env.RABBITMQ_MANAGEMENT_URL);
  const adminUrl = new URL(env.DATABASE_URL);
  adminUrl.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: adminUrl.toString() });
  await admin.connect();
  const amqpUrl = new URL(env.RABBITMQ_URL);
  amqpUrl.pathname = `/${encodeURIComponent(vhost)}`;
  const databaseUrl = new URL(env.DATABASE_URL);
  databaseUrl.pathname = `/${database}`;
  const publisher = decodeURIComponent(amqpUrl.username) || 'guest';
  const rowsFile = join(tmpdir(), `${database}.json`);
  const results: SideResult[] = [];
  let db: pg.Client | undefined;
  let connection: amqp.ChannelModel | undefined;
  try {
    await management.createVhost(vhost);
    await management.setPermissions(vhost, publisher, { configure: '.*', write: '.*', read: '.*' });
    await admin.query(`create database ${pg.escapeIdentifier(database)}`);
    await migrate(databaseUrl.toString());
    connection = await amqp.connect(amqpUrl.toString());
    const channel = await connection.createConfirmChannel();
    await declareDeploymentTopology(channel);
    db = new pg.Client({ connectionString: databaseUrl.toString() });
    await db.connect();
    const sessionId = randomUUID();
    await db.query(`insert into chat.sessions (id, kind, name, visibility) values ($1, 'group', 'bench', 'public')`, [
      sessionId,
    ]);
    await channel.assertExchange(names.sessionExchange(sessionId), 'fanout', { durable: true });
    await channel.bindExchange(exchanges.messages.name, names.sessionExchange(sessionId), '');
    await db.query('create schema bench');
    await db.query('create table bench.messages (like history.messages including all)');

    const author = { kind: 'user' as const, id: randomUUID(), username: 'bench' };
    const urls = { BENCH_AMQP_URL: amqpUrl.toString(), BENCH_DATABASE_URL: databaseUrl.toString() };
    const before = process.argv.find((a) => a.startsWith('--before='))?.slice('--before='.length);
    const sides = [
      ...(before ? [{ name: 'persister-before', src: before }] : []),
      { name: 'persister', src: env.BENCH_PERSISTER_SRC },
      { name: 'insert', src: '' },
    ];
    console.log(
      `${messages} messages, batches of ${batch}, ${rounds} rounds; load ${loadavg().map((l) => l.toFixed(2))}`,
    );
    for (let round = 1; round <= rounds; round += 1) {
      const rows = Array.from({ length: messages }, (_, i) => ({
        id: randomUUID(),
        session_id: sessionId,
        author,
        type: 'text',
        content: `bench message ${i} of round ${round}: ${'x'.repeat(40)}`,
        extra: null,
        created_at: new Date().toISOString(),
      }));

      for (const side of sides) {
        if (side.name === 'insert') {
          await db.query('truncate bench.messages');
          writeFileSync(rowsFile, JSON.stringify(rows));
          results.push(await child('insert', { ...urls, BENCH_ROWS_FILE: rowsFile, BENCH_BATCH: String(batch) }));
          continue;
        }
        await db.query('truncate history.messages, history.session_activity');
        const left = await channel.purgeQueue(queues.persister.name);
        if (left.messageCount > 0) console.log(`  (purged ${left.messageCount} left in the queue)`);
        for (const [i, message] of rows.entries()) {
          const out = encodeChatMessage({ publisher, message });
          channel.publish(out.exchange, out.routingKey, out.content, out.options);
          if (i % 2000 === 1999) await channel.waitForConfirms();
        }
        await channel.waitForConfirms();
        const { messageCount } = await channel.checkQueue(queues.persister.name);
        if (messageCount !== messages) console.log(`  (queue reports ${messageCount} for ${messages} published)`);
        results.push(
          await child(side.name, {
            ...urls,
            BENCH_PERSISTER_SRC: side.src,
            BENCH_PUBLISHER: publisher,
            BENCH_MESSAGES: String(messages),
            BENCH_BATCH: String(persisterBatch),
          }),
        );
        const stored = await db.query<{ n: string }>('select count(*) as n from history.messages');
        if (Number(stored.rows[0]?.n) !== messages) throw new Error(`stored ${stored.rows[0]?.n} of ${messages}`);
      }
      const ofRound = results.slice(-sides.length);
      const insert = ofRound.find((r) => r.side === 'insert') as SideResult;
      console.log(`round ${round} (load ${loadavg()[0]?.toFixed(2)}):`);
      for (const r of ofRound)
        console.log(`  ${describe(r)}, ratio to insert ${(r.rowsPerSec / insert.rowsPerSec).toFixed(3)}`);
    }
    const insertMean = mean(results, 'insert').rowsPerSec;
    console.log('mean over rounds:');
    for (const { name } of sides) {
      const m = mean(results, name);
      console.log(`  ${describe(m)}, ratio to insert ${(m.rowsPerSec / insertMean).toFixed(3)}`);
    }
  } finally {
    rmSync(rowsFile, { force: true });
    await db?.end();
    await connection?.close().catch(() => undefined);
    await management.deleteVhost(vhost).catch((error: unknown) => console.error('could not delete the vhost', error));
    await admin.query(`drop database if exists ${pg.escapeIdentifier(database)} with (force)`);
    await admin.end();
  }
}

if (env.BENCH_SIDE === 'persister') await runPersisterSide();
else if (env.BENCH_SIDE === 'insert') await runInsertSide();
else await orchestrate();
