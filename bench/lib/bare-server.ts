// Baseline (b): a bare `ws` server, no broker. `POST /post/<room>` with a frame as body sends those
// bytes to every socket of the room (`/ws?room=<room>`), as the gateway does with its encoded frames.
import { createServer } from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';

const rooms = new Map<string, Set<WebSocket>>();
const server = createServer((req, res) => {
  if (req.url === '/readyz') {
    res.end('ok');
    return;
  }
  const room = req.url?.startsWith('/post/') ? req.url.slice(6) : undefined;
  if (req.method !== 'POST' || room === undefined) {
    res.statusCode = 404;
    res.end();
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const frame = Buffer.concat(chunks);
    for (const socket of rooms.get(room) ?? [])
      if (socket.readyState === WebSocket.OPEN) socket.send(frame, { binary: false });
    res.statusCode = 202;
    res.end();
  });
});
const wss = new WebSocketServer({ server, path: '/ws', perMessageDeflate: false });
wss.on('connection', (socket, req) => {
  const room = new URL(req.url ?? '/', 'http://x').searchParams.get('room') ?? '';
  let set = rooms.get(room);
  if (!set) {
    set = new Set();
    rooms.set(room, set);
  }
  set.add(socket);
  socket.on('close', () => set.delete(socket));
});
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
