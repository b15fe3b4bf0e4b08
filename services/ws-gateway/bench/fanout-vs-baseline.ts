// Fan-out at saturation, the real gateway against the per-client-queue baseline of issue 14, each
// in a process of its own (bench/side-process.ts), clients in one more process per side, same run,
// rounds interleaved (gateway, baseline, baseline, gateway, …). Per round MESSAGES messages are
// published to a session of SOCKETS members (chat-api's encoding, with confirms) and the round ends
// when every socket has every frame: deliveries/s, and the side's CPU per delivery.
//
//   npx tsx services/ws-gateway/bench/fanout-vs-baseline.ts
//   SIZES=100,1000 MESSAGES=1000,100 ROUNDS=4 npx tsx services/ws-gateway/bench/fanout-vs-baseline.ts
//   GATEWAY_BEFORE=/path/to/old/services/ws-gateway/src/index.ts …   adds another gateway version
//
// Needs RabbitMQ and its management API (RABBITMQ_URL, RABBITMQ_MANAGEMENT_URL; local defaults);
// works in a vhost of its own, deleted at the end. Tokens come from a TestIssuer (bench-issuer.ts),
// whose JWKS the gateway's AUTH_URL points at.
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { declareExchange, names, sessionExchange, userExchange } from '@warren/shared/amqp';
import amqp from 'amqplib';
import { startBenchIssuer } from './bench-issuer.ts';
import { createBenchVhost } from './bench-vhost.ts';
import { type ClientProcess, forkClients } from './client-process.ts';
import { gatewayConfig } from './gateway-config.ts';
import { publishMessages } from './publish-messages.ts';
import { forkSide, type SideProcess } from './side.ts';

const SIZES = (process.env.SIZES ?? '100,1000').split(',').map(Number);
const MESSAGES = (process.env.MESSAGES ?? '1000,100').split(',').map(Number);
const ROUNDS = Number(process.env.ROUNDS ?? 4);

/** The sides compared: the gateway, the baseline, and with GATEWAY_BEFORE another gateway version. */
const BEFORE = process.env.GATEWAY_BEFORE;
const SIDES = ['gateway', 'baseline', ...(BEFORE ? (['before'] as const) : [])] as const;
type Side = (typeof SIDES)[number];

const vhost = await createBenchVhost();
const issuer = await startBenchIssuer();
const config = gatewayConfig(vhost, issuer);
const sides: Record<Side, SideProcess> = Object.fromEntries(
  SIDES.map((side) => [
    side,
    side === 'baseline'
      ? forkSide('baseline', { RABBITMQ_URL: vhost.url })
      : forkSide('gateway', config, side === 'before' ? BEFORE : undefined),
  ]),
) as Record<Side, SideProcess>;
const ports = Object.fromEntries(
  await Promise.all(SIDES.map(async (side) => [side, await sides[side].port] as const)),
) as Record<Side, number>;
const connection = await amqp.connect(vhost.url);
const admin = await connection.createChannel();
const publisher = await connection.createConfirmChannel();

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const opened: ClientProcess[] = [];
const connected = Object.fromEntries(SIDES.map((side) => [side, 0])) as Record<Side, number>;
try {
  for (const [index, size] of SIZES.entries()) {
    const messages = MESSAGES[index] ?? MESSAGES[0] ?? 100;
    const setups = await Promise.all(
      SIDES.map(async (side) => {
        const users = Array.from({ length: size }, () => issuer.user());
        const sessionId = randomUUID();
        await declareExchange(admin, sessionExchange(sessionId));
        const clients = forkClients();
        opened.push(clients);
        let urls: string[];
        if (side !== 'baseline') {
          urls = users.map((user) => `ws://127.0.0.1:${ports[side]}/ws?token=${user.token}`);
        } else {
          for (const user of users) await declareExchange(admin, userExchange(user.id));
          urls = users.map((user) => `ws://127.0.0.1:${ports.baseline}/ws?user=${user.id}`);
        }
        await clients.open(urls);
        connected[side] += size;
        await sides[side].readyCount(connected[side]);
        for (const user of users)
          await admin.bindExchange(names.userExchange(user.id), names.sessionExchange(sessionId), '');
        return [side, { clients, sessionId, author: users[0]?.id as string }] as const;
      }),
    );
    const setup = Object.fromEntries(setups) as Record<Side, (typeof setups)[number][1]>;
    const results = Object.fromEntries(SIDES.map((side) => [side, []])) as unknown as Record<
      Side,
      { rate: number; cpuUs: number }[]
    >;
    console.log(
      `\n${size} sockets × ${messages} messages = ${size * messages} deliveries per round; load ${loadavg()[0]?.toFixed(2)}`,
    );
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? [...SIDES] : [...SIDES].reverse();
      for (const side of order) {
        const { clients, sessionId, author } = setup[side];
        const done = clients.receive(messages);
        await sides[side].cpu();
        const started = performance.now();
        await publishMessages(publisher, { publisher: vhost.user, sessionId, authorId: author }, messages);
        const received = await done;
        const seconds = (performance.now() - started) / 1000;
        const cpuUs = (await sides[side].cpu()) / received;
        results[side].push({ rate: received / seconds, cpuUs });
        console.log(
          `  round ${round + 1} ${side.padEnd(8)} ${Math.round(received / seconds)} deliveries/s, ${cpuUs.toFixed(1)} µs CPU each`,
        );
      }
    }
    const rate = (side: Side) => median(results[side].map((r) => r.rate));
    const cpu = (side: Side) => median(results[side].map((r) => r.cpuUs));
    for (const side of SIDES) {
      console.log(
        `  median ${side.padEnd(8)} ${Math.round(rate(side))}/s, ${cpu(side).toFixed(1)} µs CPU each; ` +
          `÷ baseline: rate ${(rate(side) / rate('baseline')).toFixed(3)}, CPU ${(cpu(side) / cpu('baseline')).toFixed(2)}`,
      );
    }
    console.log(`  load ${loadavg()[0]?.toFixed(2)}`);
  }
} finally {
  for (const clients of opened) clients.close();
  await Promise.all(SIDES.map((side) => sides[side].stop()));
  await connection.close();
  await issuer.close();
  await vhost.remove();
}
