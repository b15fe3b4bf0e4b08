// Baseline (c): the per-client-queue consumer. What Warren's gateway does at its core and nothing
// else: for each socket (`/ws?exchange=<session exchange>`) one exclusive classic queue (v2) bound
// straight to the session exchange, consumed with noAck, each delivery's body written to the socket.
// It sends `{"type":"ready"}` once the socket's queue is consumed, as the gateway does.
import { createServer } from 'node:http';
import amqp from 'amqplib';
import { WebSocket, WebSocketServer } from 'ws';

const connection = await amqp.connect(process.env.AMQP_URL ?? '');
const channel = await connection.createChannel();
const server = createServer((req, res) => {
  res.statusCode = req.url === '/readyz' ? 200 : 404;
  res.end();
});
const wss = new WebSocketServer({ server, path: '/ws', perMessageDeflate: false });
wss.on('connection', (socket, req) => {
  const exchange = new URL(req.url ?? '/', 'http://x').searchParams.get('exchange') ?? '';
  const subscribe = async () => {
    const { queue } = await channel.assertQueue('', {
      exclusive: true,
      durable: false,
      autoDelete: true,
      arguments: { 'x-queue-version': 2 },
    });
    await channel.bindQueue(queue, exchange, '');
    await channel.consume(
      queue,
      (message) => {
        if (message && socket.readyState === WebSocket.OPEN) socket.send(message.content, { binary: false });
      },
      { noAck: true },
    );
    socket.once('close', () => void channel.deleteQueue(queue).catch(() => undefined));
    socket.send('{"type":"ready"}');
  };
  subscribe().catch(() => socket.terminate());
});
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => {
  void connection.close().finally(() => process.exit(0));
});
