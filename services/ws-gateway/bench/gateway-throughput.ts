// Deliveries per second through the real gateway (startWsGatewayService, as it ships: noAck, the
// encoding cache, metrics): one session, SOCKETS authenticated sockets (one user each, clients in a
// child process), MESSAGES messages published per round as fast as confirms allow.
//
//   npx tsx services/ws-gateway/bench/gateway-throughput.ts
//   SOCKETS=200 MESSAGES=2000 ROUNDS=3 npx tsx services/ws-gateway/bench/gateway-throughput.ts
//
// Needs RabbitMQ and its management API (RABBITMQ_URL, RABBITMQ_MANAGEMENT_URL; local defaults);
// works in a vhost of its own, deleted at the end. Tokens come from a TestIssuer (bench-issuer.ts),
// whose JWKS the gateway's AUTH_URL points at, so no auth service or database is needed.
import { randomUUID } from 'node:crypto';
import { declareExchange, names, sessionExchange } from '@warren/shared/amqp';
import { createLogger } from '@warren/shared/logging';
import amqp from 'amqplib';
import { loadConfig, startWsGatewayService } from '../src/index.ts';
import { startBenchIssuer } from './bench-issuer.ts';
import { createBenchVhost } from './bench-vhost.ts';
import { forkClients } from './client-process.ts';
import { gatewayConfig } from './gateway-config.ts';
import { publishMessages } from './publish-messages.ts';

const SOCKETS = Number(process.env.SOCKETS ?? 200);
const MESSAGES = Number(process.env.MESSAGES ?? 2000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);

const vhost = await createBenchVhost();
const issuer = await startBenchIssuer();
const service = await startWsGatewayService(
  loadConfig({ ...gatewayConfig(vhost, issuer), PORT: '0', LOG_LEVEL: 'warn' }),
  createLogger({ service: 'ws-gateway', level: 'warn' }),
);
const connection = await amqp.connect(vhost.url);
const admin = await connection.createChannel();
const publisher = await connection.createConfirmChannel();
const clients = forkClients();

try {
  const users = Array.from({ length: SOCKETS }, () => issuer.user());
  let ready = 0;
  const allReady = new Promise<void>((resolve) => {
    service.gateway.on('ready', () => {
      ready += 1;
      if (ready === SOCKETS) resolve();
    });
  });
  const base = `ws://127.0.0.1:${service.port}/ws`;
  await clients.open(users.map((user) => `${base}?token=${user.token}`));
  await allReady;

  const sessionId = randomUUID();
  await declareExchange(admin, sessionExchange(sessionId));
  for (const user of users) await admin.bindExchange(names.userExchange(user.id), names.sessionExchange(sessionId), '');

  console.log(`${SOCKETS} sockets × ${MESSAGES} messages = ${SOCKETS * MESSAGES} deliveries per round`);
  const rates: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const done = clients.receive(MESSAGES);
    const cpu = process.cpuUsage();
    const started = performance.now();
    await publishMessages(publisher, { publisher: vhost.user, sessionId, authorId: users[0]?.id as string }, MESSAGES);
    const received = await done;
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    rates.push(received / seconds);
    console.log(
      `round ${round}: ${Math.round(received / seconds)} deliveries/s, ` +
        `${((used.user + used.system) / received).toFixed(1)} µs CPU each (publishing included)`,
    );
  }
  const median = [...rates].sort((a, b) => a - b)[Math.floor(rates.length / 2)] ?? 0;
  console.log(`median: ${Math.round(median)} deliveries/s`);
} finally {
  clients.close();
  await connection.close();
  await service.stop();
  await issuer.close();
  await vhost.remove();
}
