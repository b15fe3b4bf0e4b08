// The client side of the benchmarks, in a process of its own so that parsing what the sockets
// receive does not share the gateway's event loop. Driven over IPC by bench/consume-modes.ts and
// bench/gateway-throughput.ts:
//   → { open: [url…] }               opens one socket per URL
//   ← { opened }
//   → { expect: perSocket }          resets the counts; answers once every socket has that many
//   ← { done: received }
//   → { connect: [url…], concurrency } opens one socket per URL, at most `concurrency` at a time
//   ← { connected: [ms…] }           each socket's time from starting to open to its `ready` frame
//   → { close: true }                closes every socket and exits
import WebSocket from 'ws';

type Command = { open: string[] } | { connect: string[]; concurrency: number } | { expect: number } | { close: true };

/** Opens a socket and resolves with the milliseconds until its first frame (`ready`). */
function connectOne(url: string): Promise<number> {
  const started = performance.now();
  const socket = new WebSocket(url, { perMessageDeflate: false });
  sockets.push(socket);
  return new Promise((resolve, reject) => {
    socket.once('message', () => resolve(performance.now() - started));
    socket.once('error', reject);
  });
}

const sockets: WebSocket[] = [];
const received: number[] = [];
let expected = Number.POSITIVE_INFINITY;
let complete = 0;

const send = (message: unknown): void => {
  process.send?.(message);
};

function onFrame(index: number): void {
  received[index] = (received[index] ?? 0) + 1;
  if (received[index] === expected) {
    complete += 1;
    if (complete === sockets.length) send({ done: received.reduce((sum, n) => sum + n, 0) });
  }
}

process.on('message', async (command: Command) => {
  if ('open' in command) {
    await Promise.all(
      command.open.map((url, index) => {
        const socket = new WebSocket(url);
        sockets[index] = socket;
        received[index] = 0;
        // The ready frame of the real gateway is not a delivery.
        socket.on('message', (data) => {
          if (!data.toString('utf8', 0, 16).startsWith('{"type":"ready"')) onFrame(index);
        });
        return new Promise((resolve, reject) => {
          socket.once('open', resolve);
          socket.once('error', reject);
        });
      }),
    );
    send({ opened: sockets.length });
  } else if ('connect' in command) {
    const latencies: number[] = [];
    let next = 0;
    const worker = async () => {
      while (next < command.connect.length) latencies.push(await connectOne(command.connect[next++] as string));
    };
    await Promise.all(Array.from({ length: command.concurrency }, worker));
    send({ connected: latencies });
  } else if ('expect' in command) {
    expected = command.expect;
    complete = 0;
    received.fill(0);
  } else {
    for (const socket of sockets) socket.close();
    process.disconnect();
  }
});
