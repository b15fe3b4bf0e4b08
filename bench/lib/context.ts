import type { ServiceProcess } from '@warren/shared/testing';
import type { Channel, ChannelModel, ConfirmChannel } from 'amqplib';
import type { Clients } from './clients.ts';
import type { CpuMeter } from './cpu.ts';
import { Histogram, wallMs } from './histogram.ts';
import type { BenchEnv, User } from './system.ts';

/** What every scenario shares: the environment, the running system and the client process. */
export interface Context {
  quick: boolean;
  env: BenchEnv;
  auth: ServiceProcess;
  chat: ServiceProcess;
  persister: ServiceProcess | undefined;
  gateway: ServiceProcess | undefined;
  clients: Clients;
  users: User[];
  amqp: ChannelModel;
  channel: Channel;
  confirm: ConfirmChannel;
  authUrl: string;
  chatUrl: string;
  /** CPU per process over each measured phase. */
  cpu: CpuMeter;
  log(line: string): void;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A chat line of ~100 characters whose start carries the key and the send time. */
export const contentOf = (key: string): string =>
  `bench|${key}|${wallMs().toFixed(3)}| a line of chat of about the length people write, give or take`;

/**
 * Calls `send(i)` for i in [0, count) at `rate` per second (open loop: a slow answer does not delay
 * the next send), and resolves when every send settled, with the send-to-answer latency.
 */
export async function atRate(count: number, rate: number, send: (i: number) => Promise<boolean>) {
  const answers = new Histogram();
  let failed = 0;
  const pending: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const t = performance.now();
    pending.push(
      send(i).then(
        (ok) => {
          answers.record(performance.now() - t);
          if (!ok) failed += 1;
        },
        () => {
          failed += 1;
        },
      ),
    );
  }
  await Promise.all(pending);
  return { answers, failed, sent: count, seconds: (performance.now() - start) / 1000 };
}

/**
 * Calls `send(i)` with at most `outstanding` sends unanswered, as fast as they are answered, for
 * `seconds` (closed loop: the rate is what the system carries); resolves once every send settled.
 */
export async function closedLoop(seconds: number, outstanding: number, send: (i: number) => Promise<boolean>) {
  const answers = new Histogram();
  let failed = 0;
  let next = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  const lane = async () => {
    while (performance.now() < end) {
      const t = performance.now();
      const ok = await send(next++).catch(() => false);
      answers.record(performance.now() - t);
      if (!ok) failed += 1;
    }
  };
  await Promise.all(Array.from({ length: outstanding }, lane));
  return { answers, failed, sent: next, seconds: (performance.now() - start) / 1000 };
}

/** Waits until the clients received `expected` frames or nothing arrived for `quietMs`. */
export async function awaitFrames(ctx: Context, expected: number, quietMs = 3000) {
  let last = -1;
  let lastChange = Date.now();
  for (;;) {
    const report = await ctx.clients.report();
    if (report.frames >= expected) return report;
    if (report.frames !== last) {
      last = report.frames;
      lastChange = Date.now();
    } else if (Date.now() - lastChange > quietMs) return report;
    await sleep(100);
  }
}
