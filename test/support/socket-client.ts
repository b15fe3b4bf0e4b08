import { once } from 'node:events';
import { Recorder, type WaitOptions } from '@warren/shared/testing';
import WebSocket from 'ws';

/** A frame the ws-gateway sent, parsed. */
// biome-ignore lint/suspicious/noExplicitAny: tests inspect frames field by field.
export type Frame = Record<string, any>;

/** A WebSocket client of the ws-gateway, as a browser's would be, recording every frame. */
export class SocketClient {
  readonly #received = new Recorder<Frame>({ name: 'socket client' });
  readonly #socket: WebSocket;
  /** The close code and reason, once the socket has closed (whichever side closed it). */
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.on('message', (data) => this.#received.push(JSON.parse(data.toString('utf8')) as Frame));
    this.closed = once(socket, 'close').then(([code, reason]) => ({
      code: code as number,
      reason: String(reason),
    }));
  }

  /** Connects, authenticates with an `auth` frame and resolves once the gateway sent `ready`. */
  static async ready(url: string, token: string): Promise<SocketClient> {
    const socket = new WebSocket(url);
    const client = new SocketClient(socket);
    await once(socket, 'open');
    socket.send(JSON.stringify({ type: 'auth', token }));
    await client.waitFor((frame) => frame.type === 'ready', { what: 'the ready frame' });
    return client;
  }

  /** Every frame received, in order. */
  get frames(): readonly Frame[] {
    return this.#received.all;
  }

  /** The first frame that matches, now or once it arrives. */
  waitFor(match: (frame: Frame) => boolean, options?: WaitOptions): Promise<Frame> {
    return this.#received.waitFor(match, options);
  }

  /** The `message` frame of a message id, now or once it arrives. */
  message(id: string): Promise<Frame> {
    return this.waitFor((frame) => frame.type === 'message' && frame.message.id === id, { what: `message ${id}` });
  }

  /** Whether the `message` frame of a message id has arrived. */
  hasMessage(id: string): boolean {
    return this.frames.some((frame) => frame.type === 'message' && frame.message.id === id);
  }

  async close(): Promise<void> {
    if (this.#socket.readyState === WebSocket.CLOSED) return;
    const closed = once(this.#socket, 'close');
    this.#socket.close();
    await closed;
  }
}

/**
 * Opens ready sockets for the enclosing `describe`'s tests and closes them after each test. Call it
 * in the `describe` body.
 * @param gatewayUrl where the gateway listens, once the suite has started it.
 * @returns a function opening a ready socket as `user`.
 */
export function useSockets(gatewayUrl: () => string): (user: { token: string }) => Promise<SocketClient> {
  const sockets: SocketClient[] = [];
  afterEach(async () => {
    await Promise.all(sockets.splice(0).map((socket) => socket.close()));
  });
  return async (user) => {
    const socket = await SocketClient.ready(gatewayUrl(), user.token);
    sockets.push(socket);
    return socket;
  };
}
