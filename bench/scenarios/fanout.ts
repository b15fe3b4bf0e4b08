// Scenario 1: R rooms of M members, all online, messages posted at a fixed rate; end-to-end latency
// (post sent → frame received) and deliveries/s through Warren, through RabbitMQ Web-STOMP (same
// session exchanges, AMQP publishes) and through a bare `ws` server (no broker).
import { randomUUID } from 'node:crypto';
import { encodeChatMessage } from '@warren/shared/envelope';
import { atRate, awaitFrames, type Context, contentOf, sleep } from '../lib/context.ts';
import type { LatencySummary } from '../lib/histogram.ts';
import { BareServer, createSession, PUBLISHER, type User } from '../lib/system.ts';

export interface RunResult {
  system: string;
  messages: number;
  rate: number;
  expectedFrames: number;
  frames: number;
  completeMessages: number;
  failedPosts: number;
  latency: LatencySummary;
  postAnswer: LatencySummary;
  deliveriesPerSec: number;
}

export interface FanoutCase {
  rooms: number;
  members: number;
  rate: number;
  seconds: number;
  warren: RunResult;
  stomp: RunResult;
  bare: RunResult;
}

export const CONFIGS: [number, number][] = [
  [1, 10],
  [1, 100],
  [1, 1000],
  [100, 10],
];
/** `--quick`: a smoke run, small enough for the 100 users it registers. */
export const QUICK_CONFIGS: [number, number][] = [
  [1, 10],
  [1, 100],
  [10, 10],
];

interface Room {
  id: string;
  members: User[];
}

/** Makes R sessions of M members from the user pool. */
export async function makeRooms(ctx: Context, rooms: number, members: number): Promise<Room[]> {
  const made: Room[] = [];
  for (let r = 0; r < rooms; r++) {
    const list = ctx.users.slice(r * members, (r + 1) * members);
    made.push({ id: await createSession(ctx.chatUrl, list), members: list });
  }
  return made;
}

async function measure(
  ctx: Context,
  system: string,
  rooms: Room[],
  rate: number,
  seconds: number,
  post: (room: Room, content: string) => Promise<boolean>,
  tag: string,
): Promise<RunResult> {
  await ctx.clients.reset();
  const members = rooms[0]?.members.length ?? 0;
  const messages = Math.max(1, Math.round(rate * seconds));
  const started = performance.now();
  const sent = await atRate(messages, rate, (i) => post(rooms[i % rooms.length] as Room, contentOf(`${tag}-${i}`)));
  const expected = (messages - sent.failed) * members;
  const report = await awaitFrames(ctx, expected);
  const elapsed = (performance.now() - started) / 1000;
  let complete = 0;
  for (const n of report.counts.values()) if (n === members) complete += 1;
  const result: RunResult = {
    system,
    messages,
    rate,
    expectedFrames: messages * members,
    frames: report.frames,
    completeMessages: complete,
    failedPosts: sent.failed,
    latency: report.latency.summary(),
    postAnswer: sent.answers.summary(),
    deliveriesPerSec: Math.round(report.frames / elapsed),
  };
  ctx.log(
    `  ${system.padEnd(7)} ${messages} msgs @${rate}/s: p50 ${result.latency.p50} p99 ${result.latency.p99} max ${result.latency.max} ms, ` +
      `${result.frames}/${result.expectedFrames} frames, ${result.deliveriesPerSec} deliveries/s`,
  );
  return result;
}

/** Warren end to end: users' sockets on the gateway, posts over chat-api's HTTP API. */
export async function runWarren(ctx: Context, rooms: Room[], rate: number, seconds: number, tag: string) {
  if (!ctx.gateway) throw new Error('no gateway');
  const url = `ws://127.0.0.1:${ctx.gateway.port}/ws`;
  const opened = await ctx.clients.open(
    rooms.flatMap((room) => room.members.map((m) => ({ kind: 'warren' as const, url, token: m.token }))),
  );
  if (opened.failures > 0) ctx.log(`  warren: ${opened.failures} sockets failed to open`);
  const result = await measure(
    ctx,
    'warren',
    rooms,
    rate,
    seconds,
    async (room, content) => {
      const owner = room.members[0] as User;
      const r = await fetch(`${ctx.chatUrl}/api/sessions/${room.id}/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${owner.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ content }),
      });
      await r.arrayBuffer();
      return r.status === 202;
    },
    tag,
  );
  await ctx.clients.closeAll();
  return result;
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
  };
}

export async function runFanout(ctx: Context): Promise<FanoutCase[]> {
  const seconds = ctx.quick ? 2 : 10;
  const target = ctx.quick ? 3000 : 5000;
  const bare = await BareServer.start();
  const cases: FanoutCase[] = [];
  try {
    // Warm-up (discarded): JIT, connection pools and caches of every part, so the first case is not
    // cold (with 100 posts at 50/s, the first case's tail was still several times the later ones').
    ctx.log('fan-out warm-up (discarded)');
    await runWarren(ctx, await makeRooms(ctx, 1, 10), 100, ctx.quick ? 2 : 5, 'warm');
    for (const [R, M] of ctx.quick ? QUICK_CONFIGS : CONFIGS) {
      const rate = Math.min(200, Math.max(2, Math.round(target / M)));
      ctx.log(`fan-out ${R} room(s) × ${M} members, ${rate} msgs/s for ${seconds} s`);
      const rooms = await makeRooms(ctx, R, M);
      const warren = await runWarren(ctx, rooms, rate, seconds, `f${R}x${M}`);

      // (a) Web-STOMP: M STOMP subscribers per session exchange, publishes over AMQP with confirms.
      const stompTargets = rooms.flatMap((room) =>
        room.members.map(() => ({
          kind: 'stomp' as const,
          url: ctx.env.stompUrl,
          vhost: ctx.env.vhost,
          ...ctx.env.stompLogin,
          destination: `/exchange/warren.session.${room.id}`,
        })),
      );
      const so = await ctx.clients.open(stompTargets);
      if (so.failures > 0) ctx.log(`  stomp: ${so.failures} subscriptions failed`);
      const stomp = await measure(
        ctx,
        'stomp',
        rooms,
        rate,
        seconds,
        async (room, content) => {
          const out = encodeChatMessage({ publisher: PUBLISHER, message: chatMessage(room, content) });
          return new Promise<boolean>((resolve) => {
            ctx.confirm.publish(out.exchange, '', out.content, { ...out.options }, (err) => resolve(!err));
          });
        },
        `s${R}x${M}`,
      );
      await ctx.clients.closeAll();

      // (b) bare ws: the same frames, broadcast by a plain server on an HTTP post.
      await ctx.clients.open(
        rooms.flatMap((room) =>
          room.members.map(() => ({ kind: 'bare' as const, url: `ws://127.0.0.1:${bare.port}/ws?room=${room.id}` })),
        ),
      );
      const bareResult = await measure(
        ctx,
        'bare-ws',
        rooms,
        rate,
        seconds,
        async (room, content) => {
          const r = await fetch(`http://127.0.0.1:${bare.port}/post/${room.id}`, {
            method: 'POST',
            body: JSON.stringify({ type: 'message', session_id: room.id, message: chatMessage(room, content) }),
          });
          await r.arrayBuffer();
          return r.status === 202;
        },
        `b${R}x${M}`,
      );
      await ctx.clients.closeAll();
      cases.push({ rooms: R, members: M, rate, seconds, warren, stomp, bare: bareResult });
      await sleep(500);
    }
  } finally {
    await bare.stop();
  }
  return cases;
}
