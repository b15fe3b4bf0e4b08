// Scenario: what presence costs (issue 17). A user in 100 sessions of 100 members goes online and
// offline; the other 99 members have sockets on the gateway. Each flip makes chat-api publish one
// `presence` event to each of the user's sessions, which the broker copies to every member's
// queue: 100 publishes and 9,900 deliveries. Measured per flip: the time from its cause (the
// user's socket ready, or closed) to the last delivery, and the CPU of every process. Baseline, in
// the same run and to the same sockets: one chat message published to each of the 100 sessions
// (as chat-api publishes a post), the same 9,900 deliveries, so a flip's cost reads as "N messages".
// Then the bound: chat-api restarted with PRESENCE_FANOUT_MAX_MEMBERS below the sessions' size
// publishes nothing for the same flips.

import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { encodeChatMessage, NEW_MESSAGE_STATE } from '@warren/shared/envelope';
import WebSocket from 'ws';
import { type Context, contentOf, sleep } from '../lib/context.ts';
import type { CpuPhase } from '../lib/cpu.ts';
import { Histogram, type LatencySummary, round } from '../lib/histogram.ts';
import { createSession, metric, PUBLISHER, registerUsers, startChatApi, type User } from '../lib/system.ts';

export interface PresenceResult {
  sessions: number;
  members: number;
  /** Flips measured (online and offline alternately). */
  flips: number;
  /** Deliveries of one flip: presence frames the other members' sockets received. */
  deliveriesPerFlip: number;
  /** From the cause (socket ready; socket closed plus the offline delay) to the flip's last delivery, ms. */
  flipToLastDelivery: LatencySummary;
  /** chat-api's offline delay during the run (a bench setting; 5000 deployed). */
  offlineDelayMs: number;
  cpu: CpuPhase;
  /** One message to each session, the same sockets: the baseline. */
  baseline: { rounds: number; deliveriesPerRound: number; toLastDelivery: LatencySummary; cpu: CpuPhase };
  /** CPU of all processes per flip ÷ per baseline round (100 messages). */
  cpuRatio: number;
  /** With PRESENCE_FANOUT_MAX_MEMBERS under the sessions' size: what one online and one offline flip delivered. */
  bounded: { maxMembers: number; deliveries: number; sessionsSkipped: number };
}

const SESSIONS = 100;
const MEMBERS = 100;
/** Short, so offline flips follow the close promptly; the debounce itself is not what is measured. */
const OFFLINE_DELAY_MS = 200;
/** Time to wait for deliveries that must not come (the bounded case). */
const QUIET_MS = 3000;
/**
 * chat-api's warm-up after each restart: longer than the gateway's heartbeat (10 s), so that it
 * flips nobody offline before a heartbeat told it who is there, and nothing is measured before it
 * ends (a reconcile then would flip the members and fan out to the sessions).
 */
const WARMUP_MS = 12_000;

/** Sockets of the other members, counting the frames that match per cycle. */
class Watchers {
  readonly #sockets: WebSocket[] = [];
  #count = 0;
  #want = 0;
  #match: (frame: { type?: string; event?: string; data?: { user_id?: string } }) => boolean = () => false;
  #done: (() => void) | undefined;
  lastAt = 0;

  async open(url: string, users: readonly User[]): Promise<void> {
    for (const user of users) {
      this.#sockets.push(await connect(url, user, (frame) => this.#onFrame(frame)));
    }
  }

  #onFrame(frame: { type?: string }): void {
    if (!this.#match(frame)) return;
    this.#count += 1;
    this.lastAt = performance.now();
    if (this.#count === this.#want) this.#done?.();
  }

  /** Counts frames that match from now on; resolves once `want` arrived (or after `timeoutMs`). */
  expect(
    want: number,
    match: (frame: { type?: string; event?: string; data?: { user_id?: string } }) => boolean,
    timeoutMs: number,
  ): { arrived: Promise<boolean>; count: () => number } {
    this.#count = 0;
    this.#want = want;
    this.#match = match;
    const arrived = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.#done = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
    return { arrived, count: () => this.#count };
  }

  close(): void {
    for (const socket of this.#sockets) socket.close();
  }
}

/**
 * Opens the user's socket on the gateway; resolves once `ready`, with the socket, handing every
 * later frame to `onFrame`. Rejects when the gateway closes it first (a refused token).
 */
async function connect(url: string, user: User, onFrame: (frame: { type?: string }) => void = () => undefined) {
  const socket = new WebSocket(url);
  await once(socket, 'open');
  const ready = new Promise<void>((resolve, reject) => {
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as { type?: string };
      if (frame.type === 'ready') resolve();
      else onFrame(frame);
    });
    socket.once('close', (code) => reject(new Error(`the gateway closed ${user.username}'s socket with ${code}`)));
  });
  socket.send(JSON.stringify({ type: 'auth', token: user.token }));
  await ready;
  return socket;
}

export async function runPresence(ctx: Context): Promise<PresenceResult> {
  const gateway = ctx.gateway;
  if (!gateway) throw new Error('presence needs the gateway');
  const gatewayUrl = `ws://127.0.0.1:${gateway.port}/ws`;
  // Users of its own, in these sessions only, so each flip fans out to exactly them, with tokens
  // fresh for the scenario's few minutes (the bench's own users' tokens expire during a full run).
  const [subject, ...others] = await registerUsers(ctx.authUrl, ctx.chatUrl, MEMBERS);
  if (!subject) throw new Error('no subject user');

  ctx.log(`presence: chat-api with a ${OFFLINE_DELAY_MS} ms offline delay; ${MEMBERS - 1} members connect`);
  const warm = await restartChatApi(ctx, { PRESENCE_OFFLINE_DELAY_MS: String(OFFLINE_DELAY_MS) });
  const watchers = new Watchers();
  // Connected before the sessions exist, so their own online flips do not fan out to them.
  await watchers.open(gatewayUrl, others);
  ctx.log(`  ${SESSIONS} sessions of ${MEMBERS} members`);
  const sessions: string[] = [];
  for (let i = 0; i < SESSIONS; i++) sessions.push(await createSession(ctx.chatUrl, [subject, ...others]));
  // The warm-up ends, the watchers' flips and the sessions' member.joined events settle.
  await warm;
  await sleep(1000);

  const want = SESSIONS * (MEMBERS - 1);
  const isFlip = (online: boolean) => (frame: { type?: string; event?: string; data?: { user_id?: string } }) =>
    frame.type === 'event' &&
    frame.event === 'presence' &&
    frame.data?.user_id === subject.id &&
    (frame.data as { online?: boolean }).online === online;
  const cycles = ctx.quick ? 2 : 6;
  const latency = new Histogram();
  let flips = 0;
  let socket: WebSocket | undefined;
  const cpu = await ctx.cpu.start();
  for (let cycle = 0; cycle < cycles; cycle++) {
    const up = watchers.expect(want, isFlip(true), 30_000);
    socket = await connect(gatewayUrl, subject);
    const readyAt = performance.now();
    if (!(await up.arrived)) throw new Error(`online flip: ${up.count()} of ${want} deliveries`);
    latency.record(watchers.lastAt - readyAt);
    const down = watchers.expect(want, isFlip(false), 30_000);
    const closedAt = performance.now();
    socket.close();
    if (!(await down.arrived)) throw new Error(`offline flip: ${down.count()} of ${want} deliveries`);
    latency.record(watchers.lastAt - closedAt - OFFLINE_DELAY_MS);
    flips += 2;
  }
  const flipCpu = await cpu.stop(flips, flips * want);
  ctx.log(`  ${flips} flips, each ${want} deliveries; p50 ${latency.summary().p50} ms cause → last delivery`);

  // Baseline: one message to each session, as chat-api publishes a post.
  const rounds = ctx.quick ? 2 : 6;
  const baseLatency = new Histogram();
  const isMessage = (frame: { type?: string }) => frame.type === 'message';
  const baseCpu = await ctx.cpu.start();
  for (let round = 0; round < rounds; round++) {
    const all = watchers.expect(want, isMessage, 30_000);
    const sentAt = performance.now();
    for (const session of sessions) {
      const out = encodeChatMessage({
        publisher: PUBLISHER,
        message: {
          id: randomUUID(),
          session_id: session,
          author: { kind: 'user', id: subject.id, username: subject.username },
          type: 'text',
          content: contentOf(`presence-baseline-${round}`),
          extra: null,
          created_at: new Date().toISOString(),
          reply_to: null,
          ...NEW_MESSAGE_STATE,
        },
      });
      ctx.confirm.publish(out.exchange, '', out.content, { ...out.options });
    }
    await ctx.confirm.waitForConfirms();
    if (!(await all.arrived)) throw new Error(`baseline: ${all.count()} of ${want} deliveries`);
    baseLatency.record(watchers.lastAt - sentAt);
  }
  const roundCpu = await baseCpu.stop(rounds, rounds * want);
  const total = (phase: CpuPhase) => phase.processes.reduce((sum, p) => sum + p.cpuMs, 0);

  // The bound: sessions of 100 members are over PRESENCE_FANOUT_MAX_MEMBERS, so no event goes out.
  const maxMembers = MEMBERS - 1;
  ctx.log(`  the bound: chat-api with PRESENCE_FANOUT_MAX_MEMBERS=${maxMembers}`);
  await await restartChatApi(ctx, {
    PRESENCE_OFFLINE_DELAY_MS: String(OFFLINE_DELAY_MS),
    PRESENCE_FANOUT_MAX_MEMBERS: String(maxMembers),
  });
  const skipped0 = await metric(ctx.chat, 'warren_chat_api_presence_sessions_skipped_total');
  const quiet = watchers.expect(1, (frame) => isFlip(true)(frame) || isFlip(false)(frame), QUIET_MS * 2);
  socket = await connect(gatewayUrl, subject);
  await sleep(QUIET_MS);
  socket.close();
  await quiet.arrived;
  const bounded = {
    maxMembers,
    deliveries: quiet.count(),
    sessionsSkipped: (await metric(ctx.chat, 'warren_chat_api_presence_sessions_skipped_total')) - skipped0,
  };
  ctx.log(`  bounded: ${bounded.deliveries} deliveries, ${bounded.sessionsSkipped} sessions skipped`);
  watchers.close();
  await restartChatApi(ctx, {}, 0);

  return {
    sessions: SESSIONS,
    members: MEMBERS,
    flips,
    deliveriesPerFlip: want,
    flipToLastDelivery: latency.summary(),
    offlineDelayMs: OFFLINE_DELAY_MS,
    cpu: flipCpu,
    baseline: { rounds, deliveriesPerRound: want, toLastDelivery: baseLatency.summary(), cpu: roundCpu },
    cpuRatio: round(total(flipCpu) / flips / (total(roundCpu) / rounds), 3),
    bounded,
  };
}

/**
 * Replaces the bench's chat-api with one given `extra` variables (its defaults with none) and a
 * warm-up of `warmupMs` (its default with 0).
 * @returns a promise of the end of its warm-up.
 */
async function restartChatApi(
  ctx: Context,
  extra: Record<string, string>,
  warmupMs = WARMUP_MS,
): Promise<Promise<void>> {
  await ctx.chat.stop();
  const warmup: Record<string, string> = warmupMs > 0 ? { PRESENCE_WARMUP_MS: String(warmupMs) } : {};
  ctx.chat = await startChatApi(ctx.env, ctx.authUrl, {}, { ...extra, ...warmup });
  ctx.chatUrl = ctx.chat.url;
  return sleep(warmupMs + 500).then(() => undefined);
}
