// Scenario 3: the persister drains N queued messages; rows/s against the same rows inserted with the
// same batch size straight into PostgreSQL (one multi-row insert … on conflict do nothing per batch,
// each in its own transaction, into a copy of history.messages: same indexes, and the same rows the
// persister's table held before its drain). The persister's clock starts once it is ready (it logged
// that it listens, having started to consume), and counts the rows stored from then on.
// Then the mixed stream, A/B in rounds: a backlog of messages only and one of as many messages with
// one change per ten (alternately an edit and a reaction, each of a message ten earlier in the
// stream), each drained the same way until every message is stored and every change applied, five
// rounds (one with --quick). The order flips each round (plain then mixed, mixed then plain), so the
// table's growth from one drain to the next weighs on both sides alike, and the figure is the median
// of the rounds' ratios, each of two drains side by side in time: a busy moment of the machine
// weighs on one round, not on one side.
import { randomUUID } from 'node:crypto';
import { queues } from '@warren/shared/amqp';
import {
  encodeChatMessage,
  encodeSessionEvent,
  NEW_MESSAGE_STATE,
  newChangeId,
  type OutgoingDelivery,
} from '@warren/shared/envelope';
import pg from 'pg';
import { type Context, contentOf, sleep } from '../lib/context.ts';
import type { CpuPhase } from '../lib/cpu.ts';
import { round } from '../lib/histogram.ts';
import { createSession, PUBLISHER, startPersister, type User } from '../lib/system.ts';

export interface PersisterResult {
  messages: number;
  batchSize: number;
  publishSeconds: number;
  /** `storedAtReady`: rows already stored when the persister reported ready (not in rowsPerSec). */
  warren: { seconds: number; rowsPerSec: number; stored: number; storedAtReady?: number; cpu?: CpuPhase };
  /** `startRows`: rows its table held (the persister's table's, copied) before the inserts. */
  baseline: { seconds: number; rowsPerSec: number; startRows?: number; cpu?: CpuPhase };
  ratio: number;
  /**
   * The mixed stream against messages only, in alternating rounds of `messages` messages each:
   * messages/s of each drain, and the mixed drains' rows/s (`mixedDeliveriesPerSec`: messages and
   * `changes`, each change writing one row).
   */
  mixed: {
    messages: number;
    changes: number;
    plainRowsPerSec: number[];
    mixedRowsPerSec: number[];
    mixedDeliveriesPerSec: number[];
    /** CPU of the last mixed drain. */
    cpu?: CpuPhase;
  };
  /** Median over the rounds of mixed messages/s ÷ plain messages/s: the cost of applying changes. */
  mixedRatio: number;
  /** The same in rows written per second (messages stored and changes applied): issue 16's figure. */
  mixedRowsRatio: number;
}

/** One change per this many messages in the mixed stream. */
const CHANGE_EVERY = 10;

const BATCH = 200;

/** The messages of a backlog for `owner` in `sessionId`, as chat-api would publish them. */
function backlogOf(sessionId: string, owner: User, count: number) {
  return Array.from({ length: count }, (_, i) => ({
    id: randomUUID(),
    session_id: sessionId,
    author: { kind: 'user' as const, id: owner.id, username: owner.username },
    type: 'text',
    content: contentOf(`p-${i}`),
    extra: null,
    created_at: new Date().toISOString(),
    reply_to: null,
    ...NEW_MESSAGE_STATE,
  }));
}

/** The deliveries of a mixed stream: the messages, and after every tenth an edit or a reaction of the message ten before. */
function mixedStreamOf(messages: ReturnType<typeof backlogOf>, owner: User): OutgoingDelivery[] {
  const out: OutgoingDelivery[] = [];
  for (const [i, message] of messages.entries()) {
    out.push(encodeChatMessage({ publisher: PUBLISHER, message }));
    if (i % CHANGE_EVERY !== CHANGE_EVERY - 1) continue;
    const target = messages[i - (CHANGE_EVERY - 1)] ?? message;
    const edit = (i / CHANGE_EVERY) % 2 < 1;
    const base = { session_id: message.session_id, message_id: target.id };
    out.push(
      encodeSessionEvent({
        sessionId: message.session_id,
        publisher: PUBLISHER,
        messageId: newChangeId(),
        ...(edit
          ? {
              event: 'message.edited',
              data: { ...base, content: `${target.content} (edited)`, edited_at: new Date().toISOString() },
            }
          : {
              event: 'reaction.added',
              data: { ...base, emoji: '👍', user: { id: owner.id, username: owner.username } },
            }),
      }),
    );
  }
  return out;
}

/**
 * Stops the persister, publishes `messages` with confirms, starts a persister (with `options`) and
 * waits until it has stored them all (or the deadline passed); resolves with the times taken.
 */
export async function drainBacklog(
  ctx: Context,
  sessionId: string,
  messages: ReturnType<typeof backlogOf>,
  options: { cpuProfDir?: string; deliveries?: readonly OutgoingDelivery[]; changes?: number } = {},
): Promise<{ publishSeconds: number; seconds: number; stored: number; storedAtReady: number; cpu: CpuPhase }> {
  await ctx.persister?.stop();
  ctx.persister = undefined;
  const p0 = performance.now();
  const deliveries =
    options.deliveries ?? messages.map((message) => encodeChatMessage({ publisher: PUBLISHER, message }));
  for (const [i, out] of deliveries.entries()) {
    ctx.confirm.publish(out.exchange, '', out.content, { ...out.options });
    if (i % 2000 === 1999) await ctx.confirm.waitForConfirms();
  }
  await ctx.confirm.waitForConfirms();
  const publishSeconds = (performance.now() - p0) / 1000;
  const queued = await ctx.channel.checkQueue(queues.persister.name);
  ctx.log(`  queued ${queued.messageCount} in ${publishSeconds.toFixed(1)} s; starting the persister`);

  const db = new pg.Client({ connectionString: ctx.env.databaseUrl });
  await db.connect();
  try {
    const count = async () =>
      Number(
        (await db.query<{ n: string }>('select count(*) as n from history.messages where session_id = $1', [sessionId]))
          .rows[0]?.n,
      );
    // Edits and reactions applied: each change of the mixed stream is of another message.
    const applied = async () =>
      Number(
        (
          await db.query<{ n: string }>(
            `select (select count(*) from history.messages where session_id = $1 and edit_id is not null)
                  + (select count(*) from history.reactions r join history.messages m on m.id = r.message_id
                      where m.session_id = $1) as n`,
            [sessionId],
          )
        ).rows[0]?.n,
      );
    const changes = options.changes ?? 0;
    ctx.persister = await startPersister(ctx.env, { BATCH_SIZE: String(BATCH) }, options);
    const t0 = performance.now();
    const cpu = await ctx.cpu.start();
    const storedAtReady = await count();
    const deadline = Date.now() + (ctx.quick ? 60_000 : 300_000);
    // While deliveries wait in the queue, ask the broker (a passive declare) rather than count rows:
    // a count(*) over the session's fresh rows every 25 ms was PostgreSQL work of the measure's own,
    // as large as the persister's in the plain drain. The rows are counted only for the last
    // deliveries (at most the persister's prefetch) and to prove every message and change is there.
    while (Date.now() < deadline && (await ctx.channel.checkQueue(queues.persister.name)).messageCount > 0) {
      await sleep(25);
    }
    let stored = await count();
    while ((stored < messages.length || (changes > 0 && (await applied()) < changes)) && Date.now() < deadline) {
      await sleep(25);
      stored = await count();
    }
    const seconds = (performance.now() - t0) / 1000;
    return { publishSeconds, seconds, stored, storedAtReady, cpu: await cpu.stop(stored - storedAtReady) };
  } finally {
    await db.end();
  }
}

/** A backlog of `count` messages in a new session of the first user, drained as {@link drainBacklog} does. */
export async function drainNewBacklog(ctx: Context, count: number, options: { cpuProfDir?: string } = {}) {
  const owner = ctx.users[0] as User;
  const sessionId = await createSession(ctx.chatUrl, [owner]);
  const messages = backlogOf(sessionId, owner, count);
  return { messages, ...(await drainBacklog(ctx, sessionId, messages, options)) };
}

export async function runPersister(ctx: Context): Promise<PersisterResult> {
  const N = ctx.quick ? 5_000 : 100_000;
  ctx.log(`persister: queueing ${N} messages with the persister stopped`);
  const { messages, publishSeconds, seconds, stored, storedAtReady, cpu } = await drainNewBacklog(ctx, N);
  ctx.log(
    `  persister stored ${stored - storedAtReady} rows in ${seconds.toFixed(2)} s once ready (${storedAtReady} before)`,
  );

  const db = new pg.Client({ connectionString: ctx.env.databaseUrl });
  await db.connect();
  // Baseline: the same rows, same batch size, straight into PostgreSQL.
  await db.query('create schema if not exists bench');
  await db.query('drop table if exists bench.messages');
  await db.query('create table bench.messages (like history.messages including all)');
  const sessionId = messages[0]?.session_id;
  const copied = await db.query('insert into bench.messages select * from history.messages where session_id <> $1', [
    sessionId,
  ]);
  const baseCpu = await ctx.cpu.start();
  const b0 = performance.now();
  for (let i = 0; i < N; i += BATCH) {
    const batch = messages.slice(i, i + BATCH);
    const values: unknown[] = [];
    const rows = batch.map((m, j) => {
      values.push(m.id, m.session_id, 'user', m.author.id, m.author.username, m.type, m.content, null, m.created_at);
      const b = j * 9;
      return `($${b + 1},$${b + 2},$${b + 3},$${b + 4},$${b + 5},$${b + 6},$${b + 7},$${b + 8},$${b + 9})`;
    });
    await db.query('begin');
    await db.query(
      `insert into bench.messages (id, session_id, author_kind, author_id, author_name, type, content, extra, created_at) values ${rows.join(',')} on conflict (id) do nothing returning seq, id`,
      values,
    );
    await db.query('commit');
  }
  const baseSeconds = (performance.now() - b0) / 1000;
  const baseUsage = await baseCpu.stop(N);
  await db.query('drop schema bench cascade');
  await db.end();
  const warren = {
    seconds: round(seconds),
    rowsPerSec: Math.round((stored - storedAtReady) / seconds),
    stored,
    storedAtReady,
    cpu,
  };
  const baseline = {
    seconds: round(baseSeconds),
    rowsPerSec: Math.round(N / baseSeconds),
    startRows: copied.rowCount ?? 0,
    cpu: baseUsage,
  };
  ctx.log(`  baseline inserted ${N} rows in ${baseSeconds.toFixed(2)} s`);

  const M = N / 2;
  const rounds = ctx.quick ? 1 : 5;
  ctx.log(`persister: ${rounds} rounds of ${M} messages only and ${M} with one change per ${CHANGE_EVERY}`);
  const owner = ctx.users[0] as User;
  const mixed: PersisterResult['mixed'] = {
    messages: M,
    changes: 0,
    plainRowsPerSec: [],
    mixedRowsPerSec: [],
    mixedDeliveriesPerSec: [],
  };
  const drainPlain = async () => {
    const plain = await drainNewBacklog(ctx, M);
    mixed.plainRowsPerSec.push(Math.round((plain.stored - plain.storedAtReady) / plain.seconds));
  };
  const drainMixed = async () => {
    const mixedSession = await createSession(ctx.chatUrl, [owner]);
    const mixedMessages = backlogOf(mixedSession, owner, M);
    const deliveries = mixedStreamOf(mixedMessages, owner);
    mixed.changes = deliveries.length - M;
    const drained = await drainBacklog(ctx, mixedSession, mixedMessages, { deliveries, changes: mixed.changes });
    const stored = drained.stored - drained.storedAtReady;
    mixed.mixedRowsPerSec.push(Math.round(stored / drained.seconds));
    mixed.mixedDeliveriesPerSec.push(Math.round((stored + mixed.changes) / drained.seconds));
    mixed.cpu = drained.cpu;
  };
  for (let round = 0; round < rounds; round++) {
    const [first, second] = round % 2 === 0 ? [drainPlain, drainMixed] : [drainMixed, drainPlain];
    await first();
    await second();
    ctx.log(
      `  round ${round + 1}${round % 2 === 0 ? '' : ' (mixed first)'}: plain ${mixed.plainRowsPerSec.at(-1)} msgs/s, mixed ${mixed.mixedRowsPerSec.at(-1)} msgs/s`,
    );
  }
  return {
    messages: N,
    batchSize: BATCH,
    publishSeconds: round(publishSeconds),
    warren,
    baseline,
    ratio: round(warren.rowsPerSec / baseline.rowsPerSec, 3),
    mixed,
    mixedRatio: round(median(roundRatios(mixed, mixed.mixedRowsPerSec)), 3),
    mixedRowsRatio: round(median(roundRatios(mixed, mixed.mixedDeliveriesPerSec)), 3),
  };
}

/**
 * Each round's mixed figure ÷ its plain one: `side` is the mixed drains' messages/s
 * (`mixedRowsPerSec`) or rows/s (`mixedDeliveriesPerSec`).
 */
export function roundRatios(
  mixed: Pick<PersisterResult['mixed'], 'plainRowsPerSec'>,
  side: readonly number[],
): number[] {
  return side.map((value, i) => value / (mixed.plainRowsPerSec[i] ?? Number.NaN));
}

/** The median of a few figures. */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}
