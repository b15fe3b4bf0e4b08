import { EventEmitter, once } from 'node:events';
import WebSocket from 'ws';

/** A frame the gateway sent, parsed. */
// biome-ignore lint/suspicious/noExplicitAny: tests inspect frames field by field.
export type Frame = Record<string, any>;

/** How the gateway's socket ended, as the client saw it. */
export interface Closed {
  readonly code: number;
  readonly reason: string;
}

/** Options of {@link TestClient.open}. */
export interface OpenOptions {
  /** Sent as `?token=`. */
  readonly queryToken?: string;
  /** The Origin header; none by default, as a program sends. */
  readonly origin?: string;
  /** Answer WebSocket pings (a live peer). @defaultValue true */
  readonly autoPong?: boolean;
}

/**
 * A real `ws` client that records every frame, so a test can await the frame it wants (one that
 * arrived already or a later one) and the close.
 */
export class TestClient extends EventEmitter<{ frame: [Frame] }> {
  readonly socket: WebSocket;
  readonly frames: Frame[] = [];
  /** Resolves when the socket closes. */
  readonly closed: Promise<Closed>;
  #consumed = new Set<Frame>();
  #isClosed = false;

  private constructor(socket: WebSocket) {
    super();
    this.socket = socket;
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString('utf8')) as Frame;
      this.frames.push(frame);
      this.emit('frame', frame);
    });
    this.closed = new Promise((resolve) => {
      socket.once('close', (code, reason) => {
        this.#isClosed = true;
        resolve({ code, reason: reason.toString() });
      });
    });
  }

  /** Opens a socket to `url`; rejects when the upgrade is refused. */
  static async open(url: string, options: OpenOptions = {}): Promise<TestClient> {
    const target = new URL(url);
    if (options.queryToken !== undefined) target.searchParams.set('token', options.queryToken);
    const socket = new WebSocket(target, {
      ...(options.origin === undefined ? {} : { origin: options.origin }),
      autoPong: options.autoPong ?? true,
    });
    const client = new TestClient(socket);
    await once(socket, 'open');
    return client;
  }

  /** Opens a socket, authenticates with an `auth` frame and waits for `ready`. */
  static async ready(url: string, token: string): Promise<TestClient> {
    const client = await TestClient.open(url);
    client.send({ type: 'auth', token });
    await client.next((frame) => frame.type === 'ready');
    return client;
  }

  /** Sends a frame: an object as JSON text, a string as it is, a Buffer as a binary frame. */
  send(frame: object | string | Buffer): void {
    if (Buffer.isBuffer(frame)) this.socket.send(frame, { binary: true });
    else this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** The first frame not yet returned by `next` that matches, now or once it arrives. */
  async next(match: (frame: Frame) => boolean = () => true): Promise<Frame> {
    for (;;) {
      const found = this.frames.find((frame) => !this.#consumed.has(frame) && match(frame));
      if (found) {
        this.#consumed.add(found);
        return found;
      }
      if (this.#isClosed) throw new Error(`socket closed (${(await this.closed).code}) before the frame arrived`);
      await Promise.race([once(this, 'frame'), this.closed]);
    }
  }

  /** The `message` frames received so far (or of one session). */
  messages(sessionId?: string): Frame[] {
    return this.frames.filter((f) => f.type === 'message' && (sessionId === undefined || f.session_id === sessionId));
  }

  /** The `message` frame of a message id, now or once it arrives. */
  message(id: string): Promise<Frame> {
    return this.next((frame) => frame.type === 'message' && frame.message.id === id);
  }

  /** Closes the socket (1000) and waits until it is closed. */
  async close(): Promise<Closed> {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.close(1000);
    return this.closed;
  }
}
