import { EventEmitter, once } from 'node:events';
import amqp, { type ChannelModel, type ConsumeMessage } from 'amqplib';
import WebSocket from 'ws';

/**
 * An exclusive queue bound to an exchange through plain amqplib, recording every delivery: what a
 * consumer bound there (a gateway connection's queue on `warren.user.<id>`) receives.
 */
export class Tap extends EventEmitter<{ message: [ConsumeMessage] }> {
  readonly messages: ConsumeMessage[] = [];
  readonly #connection: ChannelModel;

  private constructor(connection: ChannelModel) {
    super();
    this.#connection = connection;
  }

  /** Binds a new exclusive queue to `exchange` as the AMQP user of `url` and starts recording. */
  static async open(url: string, exchange: string): Promise<Tap> {
    const connection = await amqp.connect(url);
    const tap = new Tap(connection);
    const channel = await connection.createChannel();
    const { queue } = await channel.assertQueue('', { exclusive: true });
    await channel.bindQueue(queue, exchange, '');
    await channel.consume(
      queue,
      (message) => {
        if (!message) return;
        tap.messages.push(message);
        tap.emit('message', message);
      },
      { noAck: true },
    );
    return tap;
  }

  /** The first recorded delivery that matches, now or once it arrives. */
  async waitFor(match: (message: ConsumeMessage) => boolean): Promise<ConsumeMessage> {
    for (;;) {
      const found = this.messages.find(match);
      if (found) return found;
      await once(this, 'message');
    }
  }

  async close(): Promise<void> {
    await this.#connection.close();
  }
}

/** A frame the ws-gateway sent, parsed. */
// biome-ignore lint/suspicious/noExplicitAny: tests inspect frames field by field.
export type Frame = Record<string, any>;

/** A WebSocket client of the ws-gateway, as a browser's would be, recording every frame. */
export class SocketClient extends EventEmitter<{ frame: [Frame] }> {
  readonly frames: Frame[] = [];
  readonly #socket: WebSocket;

  private constructor(socket: WebSocket) {
    super();
    this.#socket = socket;
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString('utf8')) as Frame;
      this.frames.push(frame);
      this.emit('frame', frame);
    });
  }

  /** Connects, authenticates with an `auth` frame and resolves once the gateway sent `ready`. */
  static async ready(url: string, token: string): Promise<SocketClient> {
    const socket = new WebSocket(url);
    const client = new SocketClient(socket);
    await once(socket, 'open');
    socket.send(JSON.stringify({ type: 'auth', token }));
    await client.waitFor((frame) => frame.type === 'ready');
    return client;
  }

  /** The first frame that matches, now or once it arrives. */
  async waitFor(match: (frame: Frame) => boolean): Promise<Frame> {
    for (;;) {
      const found = this.frames.find(match);
      if (found) return found;
      await once(this, 'frame');
    }
  }

  async close(): Promise<void> {
    if (this.#socket.readyState === WebSocket.CLOSED) return;
    const closed = once(this.#socket, 'close');
    this.#socket.close();
    await closed;
  }
}
