// What the broker spends per delivery on what Warren publishes and how it routes it: the same
// fan-out (one session exchange, SOCKETS exclusive CQv2 queues, noAck consumers in this process, no
// WebSockets) with the message properties and the route varied one at a time, interleaved over
// ROUNDS. Reports deliveries/s and the broker's CPU per delivery (/proc/<BROKER_PID>/stat: the
// broker is shared with whatever else runs, so read the ratios of rounds next to each other).
//
//   BROKER_PID=$(pgrep -f beam.smp) npx tsx services/ws-gateway/bench/broker-costs.ts
//   SOCKETS=100 MESSAGES=500 ROUNDS=3 …
//
// Needs RabbitMQ and its management API (RABBITMQ_URL, RABBITMQ_MANAGEMENT_URL; local defaults);
// works in a vhost of its own, deleted at the end.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { declareExchange, declareQueue, names, sessionExchange, userExchange, wsQueue } from '@warren/shared/amqp';
import { encodeChatMessage } from '@warren/shared/envelope';
import amqp, { type Options } from 'amqplib';
import { createBenchVhost } from './bench-vhost.ts';

const SOCKETS = Number(process.env.SOCKETS ?? 100);
const MESSAGES = Number(process.env.MESSAGES ?? 500);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const BROKER_PID = process.env.BROKER_PID;

/** A variant: how the messages are published and routed. */
interface Variant {
  readonly name: string;
  /** Through the user exchanges (Warren's topology) or with the queues bound to the session exchange. */
  readonly viaUserExchange: boolean;
  readonly options: (base: Options.Publish) => Options.Publish;
}

const VARIANTS: readonly Variant[] = [
  { name: 'as chat-api publishes', viaUserExchange: true, options: (base) => base },
  { name: 'deliveryMode 1', viaUserExchange: true, options: (base) => ({ ...base, deliveryMode: 1 }) },
  { name: 'no headers', viaUserExchange: true, options: ({ headers: _, ...base }) => base },
  { name: 'queues on the session exchange', viaUserExchange: false, options: (base) => base },
];

/** Jiffies (1/100 s) of CPU the broker has used. */
const brokerTicks = (): number => {
  if (!BROKER_PID) return Number.NaN;
  const fields = readFileSync(`/proc/${BROKER_PID}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return Number(fields[11]) + Number(fields[12]);
};

const vhost = await createBenchVhost();
const connection = await amqp.connect(vhost.url);
const admin = await connection.createChannel();
const publisher = await connection.createConfirmChannel();
const consumer = await connection.createChannel();

let received = 0;
let target = 0;
let finished: (() => void) | undefined;
/** Sets up a fan-out for `variant`; returns the session exchange. */
async function setUp(variant: Variant): Promise<string> {
  const sessionId = randomUUID();
  await declareExchange(admin, sessionExchange(sessionId));
  for (let i = 0; i < SOCKETS; i++) {
    const user = randomUUID();
    const spec = wsQueue(user, randomUUID());
    if (variant.viaUserExchange) {
      await declareExchange(admin, userExchange(user));
      await admin.bindExchange(names.userExchange(user), names.sessionExchange(sessionId), '');
      await declareQueue(admin, spec);
    } else {
      await declareQueue(admin, { ...spec, bindings: [{ source: names.sessionExchange(sessionId), routingKey: '' }] });
    }
    await consumer.consume(
      spec.name,
      () => {
        received += 1;
        if (received === target) finished?.();
      },
      { noAck: true, exclusive: true },
    );
  }
  return sessionId;
}

const setups = await Promise.all(VARIANTS.map(async (variant) => ({ variant, sessionId: await setUp(variant) })));
const results = new Map<string, { rate: number; brokerUs: number }[]>();
console.log(`${SOCKETS} queues × ${MESSAGES} messages per round; load ${loadavg()[0]?.toFixed(2)}`);
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const { variant, sessionId } of round % 2 === 0 ? setups : [...setups].reverse()) {
      received = 0;
      target = SOCKETS * MESSAGES;
      const done = new Promise<void>((resolve) => {
        finished = resolve;
      });
      const ticks = brokerTicks();
      const started = performance.now();
      for (let n = 0; n < MESSAGES; n++) {
        const { exchange, routingKey, content, options } = encodeChatMessage({
          publisher: vhost.user,
          message: {
            id: randomUUID(),
            session_id: sessionId,
            author: { kind: 'user', id: randomUUID(), username: 'alice' },
            type: 'text',
            content: `message ${n}: a line of chat of about the length people write, give or take a few words`,
            extra: null,
            created_at: new Date().toISOString(),
          },
        });
        publisher.publish(
          exchange,
          routingKey,
          content,
          variant.options({ ...options, headers: { ...options.headers } }),
        );
      }
      await publisher.waitForConfirms();
      await done;
      const seconds = (performance.now() - started) / 1000;
      const brokerUs = ((brokerTicks() - ticks) * 10_000) / target;
      const list = results.get(variant.name) ?? [];
      list.push({ rate: target / seconds, brokerUs });
      results.set(variant.name, list);
      console.log(
        `  round ${round + 1} ${variant.name.padEnd(32)} ${Math.round(target / seconds)} deliveries/s, broker ${brokerUs.toFixed(1)} µs each`,
      );
    }
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  const base = results.get(VARIANTS[0]?.name ?? '') ?? [];
  for (const [name, list] of results) {
    console.log(
      `median ${name.padEnd(32)} ${Math.round(median(list.map((r) => r.rate)))}/s ` +
        `(× ${(median(list.map((r) => r.rate)) / median(base.map((r) => r.rate))).toFixed(2)}), ` +
        `broker ${median(list.map((r) => r.brokerUs)).toFixed(1)} µs each`,
    );
  }
  console.log(`load ${loadavg()[0]?.toFixed(2)}`);
} finally {
  await connection.close();
  await vhost.remove();
}
