// Scenario 1: fan-out through Warren (posts over chat-api's HTTP API, frames from the ws-gateway)
// against three baselines fed the same way for the same sockets: (a) RabbitMQ's Web-STOMP, (b) a bare
// `ws` hub (no broker), (c) the per-client-queue consumer (bench/lib/queue-baseline.ts: one exclusive
// CQv2 queue per socket bound to the session exchange, noAck, forwarded to `ws`). (a) and (c) are fed
// by AMQP publishes with confirms to the session exchanges, as chat-api publishes.
// Two modes: at saturation (closed loop, a bounded number of posts outstanding: deliveries/s is what
// each system carries) and at a fixed offered rate (latency, post sent → frame received).
import { randomUUID } from 'node:crypto';
import { names } from '@warren/shared/amqp';
import { encodeChatMessage, NEW_MESSAGE_STATE } from '@warren/shared/envelope';
import type { Target } from '../lib/clients.ts';
import { atRate, awaitFrames, type Context, closedLoop, contentOf, sleep } from '../lib/context.ts';
import type { CpuPhase, ProcessSet } from '../lib/cpu.ts';
import { type LatencySummary, round, wallMs } from '../lib/histogram.ts';
import { postJson } from '../lib/http-post.ts';
import { BaselineProcess, createSession, PUBLISHER, type User } from '../lib/system.ts';

export interface RunResult {
  system: string;
  /** Posts sent. */
  messages: number;
  /** rate mode: the offered rate; saturation: the posts/s the system answered. */
  rate: number;
  expectedFrames: number;
  frames: number;
  completeMessages: number;
  failedPosts: number;
  latency: LatencySummary;
  postAnswer: LatencySummary;
  /** Frames received ÷ (last frame received − first post sent). */
  deliveriesPerSec: number;
  cpu?: CpuPhase;
}

/** A fixed-rate case: R rooms of M subscribers. */
export interface FanoutCase {
  rooms: number;
  members: number;
  rate: number;
  seconds: number;
  warren: RunResult;
  /** The per-client-queue baseline (absent in runs before it existed). */
  queue?: RunResult;
  stomp: RunResult;
  bare: RunResult;
}

/** A saturation case: one room of `subscribers` sockets, `outstanding` posts in flight at most. */
export interface SaturationCase {
  subscribers: number;
  /** Distinct users holding the sockets (Warren: each of them holds subscribers ÷ members sockets). */
  members: number;
  outstanding: number;
  seconds: number;
  warren: RunResult;
  queue: RunResult;
  stomp: RunResult;
  bare: RunResult;
}

export interface FanoutResult {
  cases: FanoutCase[];
  saturation: SaturationCase[];
}

/** Fixed-rate latency cases (R rooms × M members). */
export const CONFIGS: [number, number][] = [
  [1, 10],
  [100, 10],
];
/** `--quick`: small enough for the 100 users it registers. */
export const QUICK_CONFIGS: [number, number][] = [[1, 10]];
/**
 * The saturation cases: sockets, and messages in flight at most. Enough work in flight to keep every
 * part busy (3,200 and 8,000 frames), little enough that the last messages drain in a second or two
 * rather than the run's length (32 messages of 1000 frames took 8 s to drain on a loaded machine).
 */
export const SATURATION: { subscribers: number; outstanding: number }[] = [
  { subscribers: 100, outstanding: 32 },
  { subscribers: 1000, outstanding: 8 },
];

export interface Room {
  id: string;
  members: User[];
  /** Sockets each member opens (Warren); the baselines open members × this many. */
  socketsPerMember: number;
}

const subscribersOf = (room: Room | undefined): number => (room ? room.members.length * room.socketsPerMember : 0);

/** Makes R sessions of M members from the user pool, each member with `socketsPerMember` sockets. */
export async function makeRooms(ctx: Context, rooms: number, members: number, socketsPerMember = 1): Promise<Room[]> {
  const made: Room[] = [];
  for (let r = 0; r < rooms; r++) {
    const list = ctx.users.slice(r * members, (r + 1) * members);
    made.push({ id: await createSession(ctx.chatUrl, list), members: list, socketsPerMember });
  }
  return made;
}

/** How a system under test gets its sockets and its posts. */
export interface FanoutSystem {
  name: string;
  targets(room: Room): Target[];
  post(room: Room, content: string): Promise<boolean>;
  /** Its processes besides those every phase samples. */
  processes: ProcessSet;
}

/**
 * How posts are offered: at a fixed rate, or closed loop with at most `outstanding` messages in
 * flight end to end (a message stays outstanding until its post is answered and every socket
 * received it, or 10 s passed).
 */
export type Load = { rate: number; seconds: number } | { outstanding: number; seconds: number };

/** How long a closed loop's lane waits for a message to reach every socket before it moves on. */
const COMPLETION_TIMEOUT_MS = 10_000;
/** How long the message sent before the clock starts may take to reach every socket. */
const SYNC_TIMEOUT_MS = 60_000;

/** Posts under `load` to sockets already open, and counts what arrived. */
export async function measure(
  ctx: Context,
  system: FanoutSystem,
  rooms: Room[],
  load: Load,
  tag: string,
): Promise<RunResult> {
  const subscribers = subscribersOf(rooms[0]);
  // Every socket gets one message before the clock starts: a system may answer a socket's open
  // before the broker has finished attaching its consumer (Warren's gateway sends `ready` once the
  // queue is bound, and the consume follows), and that set-up belongs to the connect figures.
  await ctx.clients.reset(subscribers);
  const synced = ctx.clients.completed(`sync-${tag}`, SYNC_TIMEOUT_MS);
  await system.post(rooms[0] as Room, contentOf(`sync-${tag}`));
  if (!(await synced)) ctx.log(`  ${system.name}: not every socket got the sync message within ${SYNC_TIMEOUT_MS} ms`);
  // Completions are announced only where a closed loop waits for them.
  await ctx.clients.reset('rate' in load ? undefined : subscribers);
  const cpu = await ctx.cpu.start(system.processes);
  const started = wallMs();
  const post = (i: number) => system.post(rooms[i % rooms.length] as Room, contentOf(`${tag}-${i}`));
  const sent =
    'rate' in load
      ? await atRate(Math.max(1, Math.round(load.rate * load.seconds)), load.rate, post)
      : await closedLoop(load.seconds, load.outstanding, async (i) => {
          const complete = ctx.clients.completed(`${tag}-${i}`, COMPLETION_TIMEOUT_MS);
          const ok = await post(i);
          await complete;
          return ok;
        });
  const report = await awaitFrames(ctx, (sent.sent - sent.failed) * subscribers);
  const usage = await cpu.stop(sent.sent, report.frames);
  let complete = 0;
  for (const n of report.counts.values()) if (n === subscribers) complete += 1;
  const deliverySeconds = Math.max(report.lastFrameAt - started, 1) / 1000;
  const result: RunResult = {
    system: system.name,
    messages: sent.sent,
    rate: 'rate' in load ? load.rate : Math.round(sent.sent / sent.seconds),
    expectedFrames: sent.sent * subscribers,
    frames: report.frames,
    completeMessages: complete,
    failedPosts: sent.failed,
    latency: report.latency.summary(),
    postAnswer: sent.answers.summary(),
    deliveriesPerSec: Math.round(report.frames / deliverySeconds),
    cpu: usage,
  };
  ctx.log(
    `  ${system.name.padEnd(7)} ${result.messages} msgs @${result.rate}/s: p50 ${result.latency.p50} p99 ${result.latency.p99} ms, ` +
      `${result.frames}/${result.expectedFrames} frames, ${result.deliveriesPerSec} deliveries/s; busiest ${usage.saturating} ${usage.processes[0]?.pctCore ?? 0} %`,
  );
  return result;
}

/** Opens `system`'s sockets for `rooms`, measures under `load`, closes them. */
export async function runSystem(
  ctx: Context,
  system: FanoutSystem,
  rooms: Room[],
  load: Load,
  tag: string,
): Promise<RunResult> {
  const opened = await ctx.clients.open(rooms.flatMap((room) => system.targets(room)));
  if (opened.failures > 0) ctx.log(`  ${system.name}: ${opened.failures} sockets failed to open`);
  try {
    return await measure(ctx, system, rooms, load, tag);
  } finally {
    await ctx.clients.closeAll();
  }
}

/** Warren end to end: members' sockets on the gateway, posts over chat-api's HTTP API by the room's first member. */
export function warrenSystem(ctx: Context): FanoutSystem {
  const gateway = ctx.gateway;
  if (!gateway) throw new Error('no gateway');
  const url = `ws://127.0.0.1:${gateway.port}/ws`;
  return {
    name: 'warren',
    processes: {},
    targets: (room) =>
      room.members.flatMap((m) =>
        Array.from({ length: room.socketsPerMember }, () => ({ kind: 'warren' as const, url, token: m.token })),
      ),
    async post(room, content) {
      const owner = room.members[0] as User;
      const url = `${ctx.chatUrl}/api/sessions/${room.id}/messages`;
      return (await postJson(url, JSON.stringify({ content }), owner.token)) === 202;
    },
  };
}

/** Warren end to end: opens the members' sockets, measures under `load`, closes them. */
export async function runWarren(ctx: Context, rooms: Room[], load: Load, tag: string): Promise<RunResult> {
  return runSystem(ctx, warrenSystem(ctx), rooms, load, tag);
}

function chatMessage(room: Room, content: string) {
  const owner = room.members[0] as User;
  return {
    id: randomUUID(),
    session_id: room.id,
    author: { kind: 'user' as const, id: owner.id, username: owner.username },
    type: 'text',
    content,
    extra: null,
    created_at: new Date().toISOString(),
    reply_to: null,
    ...NEW_MESSAGE_STATE,
  };
}

/** An AMQP publish with a confirm to the room's session exchange, the bytes chat-api would send. */
function publisher(ctx: Context) {
  return (room: Room, content: string) => {
    const out = encodeChatMessage({ publisher: PUBLISHER, message: chatMessage(room, content) });
    return new Promise<boolean>((resolve) => {
      ctx.confirm.publish(out.exchange, '', out.content, { ...out.options }, (err) => resolve(!err));
    });
  };
}

function baselineSystems(ctx: Context, bare: BaselineProcess, queue: BaselineProcess): FanoutSystem[] {
  const each = (room: Room, target: () => Target) => Array.from({ length: subscribersOf(room) }, target);
  return [
    {
      name: 'queue',
      processes: { 'queue-baseline': [queue.pid] },
      targets: (room) =>
        each(room, () => ({
          kind: 'queue',
          url: `ws://127.0.0.1:${queue.port}/ws?exchange=${encodeURIComponent(names.sessionExchange(room.id))}`,
        })),
      post: publisher(ctx),
    },
    {
      name: 'stomp',
      processes: {},
      targets: (room) =>
        each(room, () => ({
          kind: 'stomp',
          url: ctx.env.stompUrl,
          vhost: ctx.env.vhost,
          ...ctx.env.stompLogin,
          destination: `/exchange/${names.sessionExchange(room.id)}`,
        })),
      post: publisher(ctx),
    },
    {
      name: 'bare-ws',
      processes: { 'bare-ws': [bare.pid] },
      targets: (room) => each(room, () => ({ kind: 'bare', url: `ws://127.0.0.1:${bare.port}/ws?room=${room.id}` })),
      async post(room, content) {
        const body = JSON.stringify({ type: 'message', session_id: room.id, message: chatMessage(room, content) });
        return (await postJson(`http://127.0.0.1:${bare.port}/post/${room.id}`, body)) === 202;
      },
    },
  ];
}

/** Runs every system on the same rooms, one after the other (Warren first), under the same load. */
async function runAll(ctx: Context, systems: FanoutSystem[], rooms: Room[], load: Load, tag: string) {
  const results = new Map<string, RunResult>();
  for (const system of systems)
    results.set(system.name, await runSystem(ctx, system, rooms, load, `${tag}${system.name}`));
  const get = (name: string) => results.get(name) as RunResult;
  return { warren: get('warren'), queue: get('queue'), stomp: get('stomp'), bare: get('bare-ws') };
}

export async function runFanout(ctx: Context): Promise<FanoutResult> {
  const seconds = ctx.quick ? 2 : 5;
  const saturationSeconds = ctx.quick ? 2 : 6;
  const target = ctx.quick ? 3000 : 5000;
  const bare = await BaselineProcess.start('bare-server');
  const queue = await BaselineProcess.start('queue-baseline', { AMQP_URL: ctx.env.amqpUrl('admin') });
  const systems = [warrenSystem(ctx), ...baselineSystems(ctx, bare, queue)];
  const result: FanoutResult = { cases: [], saturation: [] };
  try {
    // Warm-up (discarded): JIT, connection pools and caches of every part, so the first case is not
    // cold (with 100 posts at 50/s, the first case's tail was still several times the later ones').
    ctx.log('fan-out warm-up (discarded)');
    await runWarren(ctx, await makeRooms(ctx, 1, 10), { rate: 100, seconds: ctx.quick ? 2 : 5 }, 'warm');
    // The fixed-rate cases first: the smallest warms every baseline too.
    for (const [R, M] of ctx.quick ? QUICK_CONFIGS : CONFIGS) {
      const rate = Math.min(200, Math.max(2, Math.round(target / M)));
      ctx.log(`fan-out ${R} room(s) × ${M} members, ${rate} msgs/s for ${seconds} s`);
      const rooms = await makeRooms(ctx, R, M);
      const runs = await runAll(ctx, systems, rooms, { rate, seconds }, `f${R}x${M}`);
      result.cases.push({ rooms: R, members: M, rate, seconds, ...runs });
      await sleep(500);
    }
    for (const { subscribers: N, outstanding } of SATURATION) {
      const members = Math.min(N, ctx.users.length);
      const socketsPerMember = Math.ceil(N / members);
      ctx.log(
        `fan-out at saturation: ${members * socketsPerMember} subscribers (${members} users × ${socketsPerMember}), ${outstanding} messages outstanding, ${saturationSeconds} s`,
      );
      const rooms = await makeRooms(ctx, 1, members, socketsPerMember);
      const load = { outstanding, seconds: saturationSeconds };
      const runs = await runAll(ctx, systems, rooms, load, `sat${N}`);
      result.saturation.push({
        subscribers: members * socketsPerMember,
        members,
        outstanding,
        seconds: saturationSeconds,
        ...runs,
      });
      ctx.log(
        `  deliveries/s Warren ÷ queue baseline ${round(runs.warren.deliveriesPerSec / runs.queue.deliveriesPerSec)}, ÷ STOMP ${round(runs.warren.deliveriesPerSec / runs.stomp.deliveriesPerSec)}, ÷ bare ${round(runs.warren.deliveriesPerSec / runs.bare.deliveriesPerSec)}`,
      );
      await sleep(500);
    }
  } finally {
    await queue.stop();
    await bare.stop();
  }
  return result;
}
