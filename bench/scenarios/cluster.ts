// The cluster scenario (report section 5b): Warren scaled out against Warren on one node, in the
// same run. One side is the bench's one node with one chat-api, one ws-gateway and one persister
// (the system every other scenario measures); the other a three-node RabbitMQ cluster of its own
// with two of each, every instance given RABBITMQ_URL listing the three nodes, and a database of
// its own. On each side, the same load: a fixed rate in 10 rooms × 10 members (latency, every frame
// delivered, every message stored once) and fan-out at saturation to one room of 100 sockets;
// sockets alternate over the side's gateways and posts over its chat-apis. The one-node side is
// measured first, before the cluster boots, so that idle nodes take nothing from it.
import type { LogLine, ServiceProcess } from '@warren/shared/testing';
import { type ClusterEnv, createClusterEnv } from '../lib/cluster-env.ts';
import type { Context } from '../lib/context.ts';
import { CpuMeter, type ProcessSet } from '../lib/cpu.ts';
import { round } from '../lib/histogram.ts';
import { call, startChatApi, startGateway, startPersister } from '../lib/system.ts';
import { type FanoutSystem, makeRooms, measure, type RunResult, runSystem, warrenSystem } from './fanout.ts';
import { storedCount } from './sustained.ts';

/** The fixed-rate run of one side. */
export interface ClusterSustained {
  run: RunResult;
  stored: number;
  storedDistinct: number;
  /** Every post accepted, every frame delivered to every member, every message stored exactly once. */
  exactlyOnce: boolean;
}

/** What one side carried. */
export interface ClusterSide {
  /** Each service instance, by the name its CPU figures use: the broker node(s) its AMQP connection landed on (one-node side: `broker`). */
  placement: Record<string, string[]>;
  sustained: ClusterSustained;
  fanout: RunResult;
}

export interface ClusterResult {
  nodes: number;
  /** Posts per second of the fixed-rate run, in `rooms` × `members`. */
  rate: number;
  rooms: number;
  members: number;
  sustainedSeconds: number;
  /** Sockets in the one room at saturation, and messages outstanding at most. */
  subscribers: number;
  outstanding: number;
  fanoutSeconds: number;
  /** From booting the cluster to its six services listening. */
  startSeconds: number;
  single: ClusterSide;
  cluster: ClusterSide;
}

const NODES = 3;
/** Instances of chat-api, ws-gateway and persister on the cluster. */
const INSTANCES = 2;
const ROOMS = 10;
const MEMBERS = 10;
/** Below what the sustained scenario holds on one node (225-300 msgs/s), so both sides can hold it. */
const RATE = 150;
/** As the fan-out scenario's 100-socket case. */
const SUBSCRIBERS = 100;
const OUTSTANDING = 32;

/**
 * One system over several gateways and chat-apis: member i of a room has its sockets on gateway
 * i mod n; posts take the chat-apis in turn.
 */
function spreadSystem(ctx: Context, name: string, chats: ServiceProcess[], gateways: ServiceProcess[]): FanoutSystem {
  const parts = Array.from({ length: Math.max(chats.length, gateways.length) }, (_, i) =>
    warrenSystem({ ...ctx, chatUrl: chats[i % chats.length]?.url ?? '', gateway: gateways[i % gateways.length] }),
  );
  const part = (i: number) => parts[i % parts.length] as FanoutSystem;
  let next = 0;
  return {
    name,
    processes: {},
    targets: (room) => room.members.flatMap((member, i) => part(i).targets({ ...room, members: [member] })),
    post: (room, content) => part(next++).post(room, content),
  };
}

/** The durations and sizes both sides run with. */
interface Plan {
  warmSeconds: number;
  seconds: number;
  fanoutSeconds: number;
  /** Users in the fan-out room, each with `socketsPerMember` sockets. */
  members: number;
  socketsPerMember: number;
}

/** The fixed-rate run (after a discarded warm-up), then fan-out at saturation, on one side. */
async function measureSide(
  ctx: Context,
  plan: Plan,
  system: FanoutSystem,
  databaseUrl: string,
  placement: Record<string, string[]>,
): Promise<ClusterSide> {
  const tag = `cl-${system.name}`;
  const rooms = await makeRooms(ctx, ROOMS, MEMBERS);
  const opened = await ctx.clients.open(rooms.flatMap((room) => system.targets(room)));
  if (opened.failures > 0) ctx.log(`  ${system.name}: ${opened.failures} sockets failed to open`);
  let sustained: ClusterSustained;
  try {
    // Discarded: the JIT, the database pools and the load's HTTP connections of a side started cold.
    ctx.log(`cluster scenario, ${system.name}: warm-up at ${RATE} msgs/s for ${plan.warmSeconds} s (discarded)`);
    await measure(ctx, system, rooms, { rate: RATE, seconds: plan.warmSeconds }, `${tag}-warm`);
    ctx.log(
      `cluster scenario, ${system.name}: ${ROOMS} rooms × ${MEMBERS} members, ${RATE} msgs/s for ${plan.seconds} s`,
    );
    const run = await measure(ctx, system, rooms, { rate: RATE, seconds: plan.seconds }, `${tag}-rate`);
    const { n: stored, d: storedDistinct } = await storedCount(databaseUrl, `${tag}-rate`);
    const exactlyOnce =
      run.failedPosts === 0 &&
      run.frames === run.expectedFrames &&
      run.completeMessages === run.messages &&
      stored === run.messages &&
      storedDistinct === run.messages;
    ctx.log(`  stored ${stored} (${storedDistinct} distinct)/${run.messages}; exactly once: ${exactlyOnce}`);
    sustained = { run, stored, storedDistinct, exactlyOnce };
  } finally {
    await ctx.clients.closeAll();
  }
  ctx.log(
    `cluster scenario, ${system.name}: fan-out at saturation, ${plan.members * plan.socketsPerMember} sockets, ${OUTSTANDING} outstanding, ${plan.fanoutSeconds} s`,
  );
  const fanRooms = await makeRooms(ctx, 1, plan.members, plan.socketsPerMember);
  const load = { outstanding: OUTSTANDING, seconds: plan.fanoutSeconds };
  const fanout = await runSystem(ctx, system, fanRooms, load, `${tag}-sat`);
  return { placement, sustained, fanout };
}

/** The nodes a service connected to, from its `connected to RabbitMQ` log lines. */
function nodesOf(service: ServiceProcess, nodeOfPort: (port: number) => string | undefined): string[] {
  const nodes = service.logs.all
    .filter((line: LogLine) => line.msg === 'connected to RabbitMQ')
    .map((line) => {
      try {
        return nodeOfPort(Number(new URL(String(line.node)).port)) ?? '?';
      } catch {
        return '?';
      }
    });
  return [...new Set(nodes)];
}

/** The cluster's services, started instance by instance (two instances migrating one database at once would race). */
async function startServices(env: ClusterEnv, authUrl: string) {
  const chats: ServiceProcess[] = [];
  const gateways: ServiceProcess[] = [];
  const persisters: ServiceProcess[] = [];
  const stop = () => Promise.all([...gateways, ...chats, ...persisters].map((s) => s.stop().catch(() => undefined)));
  for (let n = 1; n <= INSTANCES; n++) {
    const started = await Promise.allSettled([
      startChatApi(env, authUrl),
      startPersister(env),
      startGateway(env, authUrl),
    ]);
    const [chat, persister, gateway] = started.map((r) => (r.status === 'fulfilled' ? r.value : undefined));
    if (chat) chats.push(chat);
    if (persister) persisters.push(persister);
    if (gateway) gateways.push(gateway);
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) {
      await stop();
      throw failed.reason;
    }
  }
  return { chats, gateways, persisters, stop };
}

const named = (prefix: string, services: ServiceProcess[]): [string, ServiceProcess][] =>
  services.map((service, i) => [`${prefix}-${i + 1}`, service]);

export async function runCluster(ctx: Context): Promise<ClusterResult> {
  const { gateway, persister } = ctx;
  if (!gateway || !persister) throw new Error('the one-node side needs its gateway and persister');
  const members = Math.min(SUBSCRIBERS, ctx.users.length);
  const plan: Plan = {
    warmSeconds: ctx.quick ? 1 : 3,
    seconds: ctx.quick ? 2 : 10,
    fanoutSeconds: ctx.quick ? 2 : 6,
    members,
    socketsPerMember: Math.ceil(SUBSCRIBERS / members),
  };
  const single = await measureSide(ctx, plan, spreadSystem(ctx, 'single', [ctx.chat], [gateway]), ctx.env.databaseUrl, {
    'chat-api': ['broker'],
    'ws-gateway': ['broker'],
    persister: ['broker'],
  });
  ctx.log(`cluster scenario: booting ${NODES} RabbitMQ nodes, ${INSTANCES} × chat-api, ws-gateway, persister`);
  const booting = performance.now();
  const env = await createClusterEnv(NODES);
  let services: Awaited<ReturnType<typeof startServices>> | undefined;
  let cpu: CpuMeter | undefined;
  try {
    services = await startServices(env, ctx.authUrl);
    const startSeconds = round((performance.now() - booting) / 1000, 1);
    const instances = [
      ...named('chat-api', services.chats),
      ...named('ws-gateway', services.gateways),
      ...named('persister', services.persisters),
    ];
    const placement = Object.fromEntries(instances.map(([name, s]) => [name, nodesOf(s, env.nodeOfPort)]));
    ctx.log(`  up in ${startSeconds} s; AMQP connections: ${JSON.stringify(placement)}`);
    // A failed attempt moves a client on to the next node: it would explain where an instance landed.
    for (const [name, s] of instances) {
      const failed = s.logs.all.filter((line) => line.msg === 'RabbitMQ connection attempt failed').length;
      if (failed > 0) ctx.log(`  ${name}: ${failed} connection attempt(s) failed before it connected`);
    }
    const processes = (): ProcessSet => ({
      ...Object.fromEntries(env.cluster.nodes.map((node, i) => [`broker-${i + 1}`, [node.pid]])),
      ...Object.fromEntries(instances.map(([name, s]) => [name, [s.process.pid]])),
      // The one-node side's auth: it serves both sides' JWKS (both sides' tokens are its).
      auth: [ctx.auth.process.pid],
      clients: [ctx.clients.pid],
      load: [process.pid],
    });
    cpu = await CpuMeter.open(processes, env.databaseUrl);
    const [firstChat] = services.chats;
    if (!firstChat) throw new Error('no chat-api on the cluster');
    // Rooms are made through the cluster's first chat-api; CPU is the cluster's processes'.
    const view: Context = { ...ctx, chat: firstChat, chatUrl: firstChat.url, cpu };
    // The cluster's database knows no user yet: chat-api records each from its token, as it does
    // for a user it has not heard of from auth.
    const known = ctx.users.slice(0, Math.max(ROOMS * MEMBERS, SUBSCRIBERS));
    for (let i = 0; i < known.length; i += 16)
      await Promise.all(known.slice(i, i + 16).map((user) => call(`${firstChat.url}/api/users?q=`, 'GET', user.token)));
    const system = spreadSystem(view, 'cluster', services.chats, services.gateways);
    const cluster = await measureSide(view, plan, system, env.databaseUrl, placement);
    const ratio = (a: number, b: number) => round(a / b, 2);
    ctx.log(
      `  cluster ÷ single: fan-out deliveries/s ${ratio(cluster.fanout.deliveriesPerSec, single.fanout.deliveriesPerSec)}, ${RATE} msgs/s p50 ${ratio(cluster.sustained.run.latency.p50, single.sustained.run.latency.p50)} p99 ${ratio(cluster.sustained.run.latency.p99, single.sustained.run.latency.p99)}`,
    );
    return {
      nodes: NODES,
      rate: RATE,
      rooms: ROOMS,
      members: MEMBERS,
      sustainedSeconds: plan.seconds,
      subscribers: plan.members * plan.socketsPerMember,
      outstanding: OUTSTANDING,
      fanoutSeconds: plan.fanoutSeconds,
      startSeconds,
      single,
      cluster,
    };
  } finally {
    await services?.stop();
    await cpu?.close().catch(() => undefined);
    await env.remove();
  }
}
