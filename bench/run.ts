// `npm run bench [-- --quick] [-- --only=fanout,sustained,persister,chat-api,connections,search,presence,cluster,profile]
//   [-- --prometheus=<folder>]`
// Starts Warren on loopback, on a RabbitMQ node and in a database of its own, runs each scenario
// for a bounded time against its baseline, writes bench/results/<date>.json, a Markdown report, SVG
// plots, and bench/results/latest.json (the same JSON, with the run's summary, overwritten each run).
// With --prometheus, the node runs rabbitmq_prometheus and every process is listed for a Prometheus
// in that folder (monitoring/prometheus/bench.yml reads it).

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import amqp, { type ChannelModel } from 'amqplib';
import pg from 'pg';
import { Clients } from './lib/clients.ts';
import type { Context } from './lib/context.ts';
import { CpuMeter, type ProcessSet } from './lib/cpu.ts';
import { PrometheusTargets } from './lib/prometheus-targets.ts';
import { type Results, writeReport } from './lib/report.ts';
import { SUMMARY_NOTES, summarize } from './lib/summary.ts';
import {
  type BenchEnv,
  createEnv,
  exposeToPrometheus,
  PUBLISHER,
  registerUsers,
  root,
  startAuth,
  startChatApi,
  startGateway,
  startPersister,
} from './lib/system.ts';
import { runChatApi } from './scenarios/chat-api.ts';
import { runCluster } from './scenarios/cluster.ts';
import { runConnections } from './scenarios/connections.ts';
import { runFanout } from './scenarios/fanout.ts';
import { runPersister } from './scenarios/persister.ts';
import { runPresence } from './scenarios/presence.ts';
import { runProfiles } from './scenarios/profile.ts';
import { runSearch } from './scenarios/search.ts';
import { runSustained } from './scenarios/sustained.ts';

// Every child (a service, a RabbitMQ node) adds an exit listener that kills it if the bench dies:
// with the cluster scenario's nine more, the default of 10 would warn of a leak that is none.
process.setMaxListeners(32);
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args
  .find((a) => a.startsWith('--only='))
  ?.slice(7)
  .split(',');
const wanted = (name: string) => !only || only.includes(name);
const prometheusFolder = args.find((a) => a.startsWith('--prometheus='))?.slice(13);
const started = performance.now();
const log = (line: string) =>
  console.log(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);

const pkgVersion = (name: string): string =>
  (JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

interface BrokerOverview {
  rabbitmq_version: string;
  erlang_version: string;
}

async function versions(env: BenchEnv): Promise<Record<string, string>> {
  const overview = await env.management.request<BrokerOverview>('GET', '/overview');
  const db = new pg.Client({ connectionString: env.databaseUrl });
  await db.connect();
  const pgVersion = (await db.query<{ v: string }>("select current_setting('server_version') as v")).rows[0]?.v ?? '?';
  await db.end();
  return {
    node: process.version,
    rabbitmq: overview.rabbitmq_version,
    erlang: overview.erlang_version,
    postgresql: pgVersion,
    ws: pkgVersion('ws'),
    amqplib: pkgVersion('amqplib'),
    express: pkgVersion('express'),
  };
}

/** `--report=bench/results/<stem>.json`: rewrites that run's Markdown and plots from its JSON. */
function rewriteReport(file: string): void {
  const results = JSON.parse(readFileSync(file, 'utf8')) as Results;
  const stem =
    file
      .split('/')
      .pop()
      ?.replace(/\.json$/, '') ?? 'report';
  writeReport(results, join(root, 'bench', 'results'), stem);
  console.log(`rewrote bench/results/${stem}.md`);
}

async function main(): Promise<void> {
  const reportOnly = args.find((a) => a.startsWith('--report='))?.slice(9);
  if (reportOnly) return rewriteReport(reportOnly);
  const env = await createEnv({ prometheus: prometheusFolder !== undefined });
  if (prometheusFolder !== undefined && env.rabbit.prometheusPort !== undefined) {
    exposeToPrometheus(new PrometheusTargets(prometheusFolder, env.rabbit.prometheusPort));
    log(`scrape targets for Prometheus in ${prometheusFolder}`);
  }
  log(`vhost ${env.vhost}, database ${new URL(env.databaseUrl).pathname.slice(1)}${quick ? ' (--quick)' : ''}`);
  const clients = new Clients();
  const results: Results = {
    date: new Date().toISOString(),
    quick,
    durationSeconds: 0,
    machine: {
      cpus: cpus().length,
      cpu: cpus()[0]?.model ?? '?',
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      freeMemoryGiB: Math.round(freemem() / 2 ** 30),
      kernel: release(),
      loadAverageAtStart: loadavg()
        .map((load) => load.toFixed(2))
        .join(' '),
    },
    versions: {},
    settings: {
      broker:
        'a RabbitMQ node of the bench’s own, booted from rabbitmq/definitions.json, Web-STOMP enabled, open-file limit raised to the hard limit',
      'services run as': 'their deployment AMQP users (least-privilege permissions of rabbitmq/definitions.json)',
      'auth BCRYPT_COST': 4,
      'chat-api POST_RATE_PER_SEC / POST_BURST': '10000 / 100000 (rate limit out of the way)',
      'persister BATCH_SIZE / PREFETCH': '200 / 800 (defaults)',
      processes:
        'orchestrator (load) | auth child | chat-api child | persister child | ws-gateway child | clients child | baselines, each a child: bare-ws hub, per-client-queue consumer, bare express route',
      'fan-out at saturation':
        'closed loop, at most 32 messages outstanding (8 with 1000 sockets): posted, not yet received by every socket',
      'CPU per process':
        'utime + stime from /proc/<pid>/stat before and after each phase; broker = beam.smp; postgres = backends of the bench database',
      'latency clock': 'performance.timeOrigin + now() in the sender, compared in the client process',
      histogram: `hdr-histogram-js ${pkgVersion('hdr-histogram-js')}, microseconds, 3 significant digits`,
    },
    errors: {},
  };
  let ctx: Context | undefined;
  let inspector: ChannelModel | undefined;
  let cpu: CpuMeter | undefined;
  const processes = (): ProcessSet => ({
    broker: [env.rabbit.pid],
    auth: [ctx?.auth.process.pid],
    'chat-api': [ctx?.chat.process.pid],
    persister: [ctx?.persister?.process.pid],
    'ws-gateway': [ctx?.gateway?.process.pid],
    clients: [clients.pid],
    load: [process.pid],
  });
  try {
    cpu = await CpuMeter.open(processes, env.databaseUrl);
    results.versions = await versions(env);
    const auth = await startAuth(env);
    const authUrl = auth.url;
    const [chat, persister] = await Promise.all([startChatApi(env, authUrl), startPersister(env)]);
    const chatUrl = chat.url;
    // Publishing as chat-api (see PUBLISHER); inspecting queues as the administrator.
    const connection = await amqp.connect(env.amqpUrl(PUBLISHER));
    inspector = await amqp.connect(env.amqpUrl('admin'));
    ctx = {
      quick,
      env,
      auth,
      chat,
      persister,
      gateway: undefined,
      clients,
      users: [],
      amqp: connection,
      channel: await inspector.createChannel(),
      confirm: await connection.createConfirmChannel(),
      authUrl,
      chatUrl,
      cpu,
      log,
    };
    // 1000 for the 1×1000 fan-out, and so that 10,000 connections are at most 10 per user (the gateway's cap is 20).
    const userCount = wanted('fanout') || wanted('connections') ? (quick ? 100 : 1000) : 100;
    log(`registering ${userCount} users`);
    ctx.users = await registerUsers(authUrl, chatUrl, userCount);
    log('users ready');

    const attempt = async <T>(name: string, run: () => Promise<T>): Promise<T | undefined> => {
      if (!wanted(name)) return undefined;
      try {
        return await run();
      } catch (error) {
        log(`${name} failed: ${String(error)}`);
        results.errors[name] = String(error);
        return undefined;
      }
    };
    const c = ctx;
    c.gateway = await startGateway(env, authUrl);
    const fanout = await attempt('fanout', () => runFanout(c));
    results.saturation = fanout?.saturation;
    results.fanout = fanout?.cases;
    results.sustained = await attempt('sustained', () => runSustained(c));
    results.persister = await attempt('persister', () => runPersister(c));
    results.chatApi = await attempt('chat-api', () => runChatApi(c));
    results.connections = await attempt('connections', () => runConnections(c));
    // Seeds a million messages into the bench database: after every scenario that stores messages.
    results.search = await attempt('search', () => runSearch(c));
    // Restarts chat-api with its own settings, and with its defaults at the end.
    results.presence = await attempt('presence', () => runPresence(c));
    // After every one-node figure: its own cluster boots, runs and is removed within it.
    results.cluster = await attempt('cluster', () => runCluster(c));
    // 6, last and apart, so that the profiler's own cost is in no figure above.
    const profiles = await attempt('profile', () => runProfiles(c));
    results.profile = profiles?.gateway;
    results.chatApiProfile = profiles?.chatApi;
    results.persisterProfile = profiles?.persister;
  } catch (error) {
    results.errors.setup = String(error);
    log(`setup failed: ${String(error)}`);
  } finally {
    await ctx?.gateway?.stop().catch(() => undefined);
    await ctx?.amqp.close().catch(() => undefined);
    await inspector?.close().catch(() => undefined);
    await ctx?.chat.stop().catch(() => undefined);
    await ctx?.persister?.stop().catch(() => undefined);
    await ctx?.auth.stop().catch(() => undefined);
    clients.kill();
    await cpu?.close().catch(() => undefined);
    await env.remove();
  }
  results.durationSeconds = (performance.now() - started) / 1000;
  results.summary = summarize(results);
  results.summary_notes = SUMMARY_NOTES;
  const dir = join(root, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const stem = `${results.date.slice(0, 16).replace(':', '')}Z${quick ? '-quick' : ''}`;
  // The summary first, so that a reader of latest.json sees it at the top.
  const json = `${JSON.stringify({ summary: results.summary, summary_notes: results.summary_notes, ...results }, null, 2)}\n`;
  writeFileSync(join(dir, `${stem}.json`), json);
  writeFileSync(join(dir, 'latest.json'), json);
  writeReport(results, dir, stem);
  log(`wrote bench/results/${stem}.json, ${stem}.md and latest.json`);
  log(`summary: ${JSON.stringify({ ...results.summary, cpu: undefined })}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
