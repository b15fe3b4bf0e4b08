// Deliveries per second through the gateway's hot path (consume → encode → ws.send) for each way of
// consuming: `noAck`, manual acks one by one, manual acks coalesced (one `multiple` ack per event
// loop turn), and `noAck` without the encoding cache. One session, SOCKETS sockets (one user and
// one exclusive queue each, as the gateway declares them), MESSAGES messages queued before
// consuming starts, on one shared channel. Clients run in a child process.
//
//   npx tsx services/ws-gateway/bench/consume-modes.ts
//   SOCKETS=200 MESSAGES=2000 ROUNDS=3 PREFETCH=200 npx tsx services/ws-gateway/bench/consume-modes.ts
//
// Needs RabbitMQ and its management API (RABBITMQ_URL, RABBITMQ_MANAGEMENT_URL; local defaults) and
// works in a vhost of its own, deleted at the end.
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { declareExchange, declareQueue, names, sessionExchange, userExchange, wsQueue } from '@warren/shared/amqp';
import { decodeDelivery } from '@warren/shared/envelope';
import amqp, { type Channel, type ConsumeMessage } from 'amqplib';
import { type WebSocket, WebSocketServer } from 'ws';
import { DeliveryEncoder } from '../src/delivery-encoder.ts';
import { deliveryFrameOf, encodeFrame } from '../src/frames.ts';
import { createBenchVhost } from './bench-vhost.ts';
import { forkClients } from './client-process.ts';
import { publishMessages } from './publish-messages.ts';

const SOCKETS = Number(process.env.SOCKETS ?? 200);
const MESSAGES = Number(process.env.MESSAGES ?? 2000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const PREFETCH = Number(process.env.PREFETCH ?? 200);

interface Result {
  rate: number;
  cpuUsPerDelivery: number;
  hitRate: number;
}

type Mode = 'noAck' | 'ack' | 'ack-coalesced' | 'noAck-uncached';
const MODES: readonly Mode[] = ['noAck', 'ack', 'ack-coalesced', 'noAck-uncached'];

const vhost = await createBenchVhost();
const connection = await amqp.connect(vhost.url, { clientProperties: { connection_name: 'ws-gateway-bench' } });
const admin = await connection.createChannel();
const publisher = await connection.createConfirmChannel();

// One session, SOCKETS users, each user exchange bound to the session as chat-api binds members.
const sessionId = randomUUID();
const users = Array.from({ length: SOCKETS }, () => randomUUID());
await declareExchange(admin, sessionExchange(sessionId));
for (const user of users) {
  await declareExchange(admin, userExchange(user));
  await admin.bindExchange(names.userExchange(user), names.sessionExchange(sessionId), '');
}

// The gateway side: a WebSocket server whose sockets are known by the `i` the client sends.
const server = createServer();
const wss = new WebSocketServer({ noServer: true });
const sockets: WebSocket[] = [];
server.on('upgrade', (req, socket, head) => {
  const index = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('i'));
  wss.handleUpgrade(req, socket, head, (ws) => {
    sockets[index] = ws;
  });
});
server.listen(0);
await once(server, 'listening');
const clients = forkClients();
const wsUrl = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`;
await clients.open(users.map((_, index) => `${wsUrl}?i=${index}`));

/** Consumes every queue in `mode` until the clients have every message; deliveries per second. */
async function round(mode: Mode): Promise<Result> {
  const channel: Channel = await connection.createChannel();
  const acks = mode === 'ack' || mode === 'ack-coalesced';
  if (acks) await channel.prefetch(PREFETCH, false);
  const queues = users.map((user) => wsQueue(user, randomUUID()));
  for (const queue of queues) await declareQueue(channel, queue);
  await publishMessages(publisher, { publisher: vhost.user, sessionId, authorId: users[0] as string }, MESSAGES);

  let hits = 0;
  const encoder = new DeliveryEncoder({ trustedPublishers: [vhost.user], onLookup: (hit) => (hits += hit ? 1 : 0) });
  const encode = (message: ConsumeMessage): Buffer | undefined => {
    if (mode !== 'noAck-uncached') {
      const encoded = encoder.encode(message);
      return encoded.ok ? encoded.frame : undefined;
    }
    const decoded = decodeDelivery(message, { trustedPublishers: [vhost.user], receivedAt: new Date() });
    return decoded.ok ? Buffer.from(encodeFrame(deliveryFrameOf(decoded)), 'utf8') : undefined;
  };
  let pendingAck: ConsumeMessage | null = null;
  const flushAck = () => {
    if (pendingAck) channel.ack(pendingAck, true);
    pendingAck = null;
  };

  const done = clients.receive(MESSAGES);
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (const [index, queue] of queues.entries()) {
    const socket = sockets[index] as WebSocket;
    await channel.consume(
      queue.name,
      (message) => {
        if (!message) return;
        const frame = encode(message);
        if (frame !== undefined) socket.send(frame, { binary: false });
        if (mode === 'ack') channel.ack(message);
        else if (mode === 'ack-coalesced') {
          if (pendingAck === null) setImmediate(flushAck);
          pendingAck = message;
        }
      },
      { noAck: !acks },
    );
  }
  const received = await done;
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  await channel.close();
  return { rate: received / seconds, cpuUsPerDelivery: (used.user + used.system) / received, hitRate: hits / received };
}

const results = new Map<Mode, Result[]>(MODES.map((mode) => [mode, []]));
console.log(
  `${SOCKETS} sockets × ${MESSAGES} messages = ${SOCKETS * MESSAGES} deliveries per round, prefetch ${PREFETCH}`,
);
try {
  for (let r = 0; r < ROUNDS; r++) {
    for (const mode of MODES) {
      const result = await round(mode);
      results.get(mode)?.push(result);
      console.log(
        `round ${r + 1} ${mode.padEnd(15)} ${Math.round(result.rate)} deliveries/s, ` +
          `${result.cpuUsPerDelivery.toFixed(1)} µs CPU each, cache hits ${(result.hitRate * 100).toFixed(0)}%`,
      );
    }
  }
} finally {
  clients.close();
  await connection.close();
  server.close();
  wss.close();
  await vhost.remove();
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const medians = new Map([...results].map(([mode, list]) => [mode, median(list.map((r) => r.rate))]));
console.log('\nmedian deliveries/s');
for (const [mode, rate] of medians) console.log(`  ${mode.padEnd(15)} ${Math.round(rate)}`);
const base = medians.get('ack') ?? 1;
console.log(`noAck / ack            ${((medians.get('noAck') ?? 0) / base).toFixed(2)}`);
console.log(`noAck / ack-coalesced  ${((medians.get('noAck') ?? 0) / (medians.get('ack-coalesced') ?? 1)).toFixed(2)}`);
console.log(
  `cached / uncached      ${((medians.get('noAck') ?? 0) / (medians.get('noAck-uncached') ?? 1)).toFixed(2)}`,
);
