// One side of bench/fanout-vs-baseline.ts in a process of its own, so each side's CPU is its own:
//   argv[2] = 'gateway'  the real ws-gateway (startWsGatewayService as it ships), config from argv[3]
//                        (argv[4], if given, is the path of another version's src/index.ts to run)
//   argv[2] = 'baseline' the per-client-queue baseline of issue 14: per socket one exclusive queue
//                        (CQv2, noAck) bound to `warren.user.<user>`, every delivery's body forwarded
//                        to the socket as a text frame; nothing else (no token, no decoding, no metrics)
//   argv[2] = 'bare'     a bare `ws` server that answers every connection with `{"type":"ready"}`
// IPC: ← { port } once listening; → { cpu: true } ← { cpu: µs of CPU since the last ask };
//      ← { ready: n } after each socket is consuming; → { memory: true } ← { rss, heap } bytes after
//      a full GC (the process runs with --expose-gc); → { stop: true } exits.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { declareQueue, wsQueue } from '@warren/shared/amqp';
import { createLogger } from '@warren/shared/logging';
import amqp from 'amqplib';
import { WebSocketServer } from 'ws';

const [, , side, settings = '{}', gatewayModule] = process.argv;
const config = JSON.parse(settings) as Record<string, string>;
const send = (message: unknown): void => {
  process.send?.(message);
};
let ready = 0;
let stop: () => Promise<void>;

if (side === 'gateway') {
  const { loadConfig, startWsGatewayService } = (await import(
    gatewayModule ?? '../src/index.ts'
  )) as typeof import('../src/index.ts');
  const service = await startWsGatewayService(
    loadConfig({ ...config, PORT: '0', LOG_LEVEL: 'warn' }),
    createLogger({ service: 'ws-gateway', level: 'warn' }),
  );
  service.gateway.on('ready', () => send({ ready: ++ready }));
  stop = () => service.stop();
  send({ port: service.port });
} else if (side === 'bare') {
  const server = createServer();
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, clientTracking: false });
  server.on('upgrade', (req, socket, head) => {
    wss.handleUpgrade(req, socket, head, (ws) => ws.send('{"type":"ready"}'));
  });
  server.listen(0);
  await once(server, 'listening');
  stop = async () => {
    server.close();
  };
  send({ port: (server.address() as AddressInfo).port });
} else {
  const connection = await amqp.connect(config.RABBITMQ_URL as string);
  const channel = await connection.createChannel();
  const server = createServer();
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, clientTracking: false });
  let next = 0;
  server.on('upgrade', (req, socket, head) => {
    const user = new URL(req.url ?? '/', 'http://x').searchParams.get('user') as string;
    wss.handleUpgrade(req, socket, head, async (ws) => {
      const spec = wsQueue(user, String(next++));
      await declareQueue(channel, spec);
      const { consumerTag } = await channel.consume(
        spec.name,
        (message) => {
          if (message) ws.send(message.content, { binary: false });
        },
        { noAck: true, exclusive: true },
      );
      ws.on('close', () => void channel.cancel(consumerTag).catch(() => undefined));
      send({ ready: ++ready });
    });
  });
  server.listen(0);
  await once(server, 'listening');
  stop = async () => {
    server.close();
    await connection.close();
  };
  send({ port: (server.address() as AddressInfo).port });
}

let cpu = process.cpuUsage();
process.on('message', async (command: { cpu?: true; memory?: true; stop?: true }) => {
  if (command.memory) {
    globalThis.gc?.();
    send({ memory: { rss: process.memoryUsage.rss(), heap: process.memoryUsage().heapUsed } });
  } else if (command.cpu) {
    const used = process.cpuUsage(cpu);
    cpu = process.cpuUsage();
    send({ cpu: used.user + used.system });
  } else if (command.stop) {
    await stop().catch(() => undefined);
    process.exit(0);
  }
});
