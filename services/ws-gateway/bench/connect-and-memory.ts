// Connect latency (socket opened → `ready` received) and memory per idle connection: the gateway
// against a bare `ws` server that answers `{"type":"ready"}` at once (and, with GATEWAY_BEFORE,
// another gateway version), each in a process of its own, clients in another, one side after the
// other in the same run. CONNECTIONS sockets, CONCURRENCY connects in flight, USERS users (each
// connects CONNECTIONS / USERS times with the same token, as tabs and reconnects do); then RSS and
// heap per connection after a full GC, against the same process before the connects.
//
//   npx tsx services/ws-gateway/bench/connect-and-memory.ts
//   BROKER_PID=$(pgrep -f beam.smp) CONNECTIONS=5000 CONCURRENCY=50 USERS=500 npx tsx services/ws-gateway/bench/connect-and-memory.ts
//
// Needs RabbitMQ and its management API (RABBITMQ_URL, RABBITMQ_MANAGEMENT_URL; local defaults);
// works in a vhost of its own, deleted at the end.
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { startBenchIssuer } from './bench-issuer.ts';
import { createBenchVhost } from './bench-vhost.ts';
import { gatewayConfig } from './gateway-config.ts';
import { forkSide, type SideProcess } from './side.ts';

const CONNECTIONS = Number(process.env.CONNECTIONS ?? 4000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 50);
const USERS = Number(process.env.USERS ?? CONNECTIONS / 10);
const BEFORE = process.env.GATEWAY_BEFORE;
const BROKER_PID = process.env.BROKER_PID;

/** Jiffies (1/100 s) of CPU the broker has used (NaN without BROKER_PID). */
const brokerTicks = (): number => {
  if (!BROKER_PID) return Number.NaN;
  const fields = readFileSync(`/proc/${BROKER_PID}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return Number(fields[11]) + Number(fields[12]);
};

const vhost = await createBenchVhost();
const issuer = await startBenchIssuer();
const config = gatewayConfig(vhost, issuer);
const tokens = Array.from({ length: USERS }, () => issuer.user().token);

/** Connects CONNECTIONS sockets to one side; latencies (ms) and bytes per connection. */
async function measure(name: string, side: SideProcess, url: (index: number) => string) {
  const port = await side.port;
  const before = await side.memory();
  await side.cpu();
  const ticks = brokerTicks();
  const clients = fork(new URL('./clients.ts', import.meta.url));
  const connected = new Promise<number[]>((resolve) =>
    clients.on('message', (message: { connected?: number[] }) => message.connected && resolve(message.connected)),
  );
  const started = performance.now();
  clients.send({
    connect: Array.from({ length: CONNECTIONS }, (_, i) => url(i).replace('PORT', String(port))),
    concurrency: CONCURRENCY,
  });
  const latencies = (await connected).sort((a, b) => a - b);
  const seconds = (performance.now() - started) / 1000;
  const cpuMs = (await side.cpu()) / CONNECTIONS / 1000;
  const brokerMs = ((brokerTicks() - ticks) * 10) / CONNECTIONS;
  const after = await side.memory();
  clients.send({ close: true });
  const p = (q: number) => latencies[Math.floor(q * (latencies.length - 1))] ?? 0;
  const result = {
    p50: p(0.5),
    p99: p(0.99),
    seconds,
    rssKiB: (after.rss - before.rss) / CONNECTIONS / 1024,
    heapKiB: (after.heap - before.heap) / CONNECTIONS / 1024,
  };
  console.log(
    `${name.padEnd(8)} connect p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms, all in ${seconds.toFixed(1)} s; ` +
      `CPU per connect ${cpuMs.toFixed(2)} ms (broker ${brokerMs.toFixed(2)} ms); ` +
      `RSS ${result.rssKiB.toFixed(2)} KiB, heap ${result.heapKiB.toFixed(2)} KiB per connection; load ${loadavg()[0]?.toFixed(2)}`,
  );
  await side.stop();
  return result;
}

console.log(`${CONNECTIONS} connections, ${CONCURRENCY} in flight, ${USERS} users`);
try {
  const gatewayUrl = (i: number) => `ws://127.0.0.1:PORT/ws?token=${tokens[i % USERS]}`;
  const bare = await measure('bare', forkSide('bare', {}), () => 'ws://127.0.0.1:PORT/ws');
  const gateway = await measure('gateway', forkSide('gateway', config), gatewayUrl);
  const before = BEFORE ? await measure('before', forkSide('gateway', config, BEFORE), gatewayUrl) : undefined;
  console.log(`gateway ÷ bare connect p50 ${(gateway.p50 / bare.p50).toFixed(2)}`);
  if (before) console.log(`before ÷ bare connect p50 ${(before.p50 / bare.p50).toFixed(2)}`);
} finally {
  await issuer.close();
  await vhost.remove();
}
