// Child process holding the benchmark's WebSocket clients (Warren gateway, Web-STOMP or bare ws), so
// that receiving frames does not share an event loop with the posting side. Driven over IPC.
import WebSocket from 'ws';
import { Histogram, wallMs } from './histogram.ts';
import { StompClient } from './stomp.ts';

export interface Target {
  /** queue: the per-client-queue baseline, which sends `ready` like the gateway but takes no token. */
  kind: 'warren' | 'stomp' | 'bare' | 'queue';
  url: string;
  /** warren: access token; stomp: vhost. */
  token?: string;
  vhost?: string;
  /** stomp: destination to subscribe to. */
  destination?: string;
  /** stomp: the broker user to log in as. */
  login?: string;
  passcode?: string;
}

export type Command =
  | { cmd: 'open'; targets: Target[]; concurrency: number }
  | { cmd: 'reset'; subscribers?: number }
  | { cmd: 'report' }
  | { cmd: 'close' };

const MARK = /bench\|([^|]+)\|([\d.]+)\|/;
let latency = new Histogram();
let counts = new Map<string, number>();
let frames = 0;
/** Frames per message after which it is announced complete (`{ ev: 'complete' }`), 0: never. */
let subscribers = 0;
/** Wall-clock ms of the last counted frame, so deliveries/s ends where delivering ended. */
let lastFrameAt = 0;
const closers: (() => void)[] = [];

function onText(text: string): void {
  const found = MARK.exec(text);
  if (!found) return;
  frames += 1;
  lastFrameAt = wallMs();
  latency.record(wallMs() - Number(found[2]));
  const key = found[1] as string;
  const n = (counts.get(key) ?? 0) + 1;
  counts.set(key, n);
  if (n === subscribers) process.send?.({ ev: 'complete', key });
}

async function openOne(target: Target): Promise<number> {
  const started = wallMs();
  if (target.kind === 'stomp') {
    const client = await StompClient.connect(
      target.url,
      target.vhost ?? '/',
      target.login ?? 'guest',
      target.passcode ?? 'guest',
    );
    client.onMessage = onText;
    await client.subscribe(target.destination ?? '');
    closers.push(() => client.close());
    return wallMs() - started;
  }
  const socket = new WebSocket(target.url, { perMessageDeflate: false });
  closers.push(() => socket.terminate());
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.once('open', () => {
      if (target.kind === 'bare') resolve();
      else if (target.kind === 'warren') socket.send(JSON.stringify({ type: 'auth', token: target.token }));
    });
    socket.on('message', (data) => {
      const text = data.toString('utf8');
      if (target.kind !== 'bare' && text.startsWith('{"type":"ready"')) resolve();
      else onText(text);
    });
    socket.once('close', (code) => reject(new Error(`closed ${code}`)));
  });
  return wallMs() - started;
}

process.on('message', async (message: Command) => {
  const send = (value: unknown) => process.send?.(value);
  switch (message.cmd) {
    case 'open': {
      const connect = new Histogram();
      let failures = 0;
      let next = 0;
      const started = wallMs();
      const lane = async () => {
        while (next < message.targets.length) {
          const target = message.targets[next++] as Target;
          try {
            connect.record(await openOne(target));
          } catch {
            failures += 1;
          }
        }
      };
      await Promise.all(Array.from({ length: message.concurrency }, lane));
      send({ ev: 'opened', connect: connect.toJSON(), failures, totalMs: wallMs() - started });
      break;
    }
    case 'reset':
      latency = new Histogram();
      counts = new Map();
      frames = 0;
      lastFrameAt = 0;
      subscribers = message.subscribers ?? 0;
      send({ ev: 'reset' });
      break;
    case 'report':
      send({ ev: 'report', latency: latency.toJSON(), frames, lastFrameAt, counts: [...counts.entries()] });
      break;
    case 'close':
      for (const close of closers.splice(0)) close();
      send({ ev: 'closed' });
      break;
  }
});
