import { randomUUID } from 'node:crypto';
import amqp, { type Channel, type ChannelModel, type ConsumeMessage } from 'amqplib';
import { Recorder, type WaitOptions } from './recorder.ts';
import { testConfig } from './test-config.ts';

/** Marks the sentinel {@link AmqpTap.settle} sends itself, so it is never counted as a delivery. */
const SENTINEL_TYPE = 'test.sentinel';

/** Options of {@link AmqpTap.open}. */
export interface AmqpTapOptions {
  /** Whose AMQP URL to connect with. @defaultValue the run's administrator */
  url?: string;
  /** The binding's routing key. @defaultValue '' */
  routingKey?: string;
  /** Declare the exchange first, as a durable fanout. @defaultValue false */
  declare?: boolean;
}

/**
 * An exclusive queue bound to an exchange through a plain amqplib connection of its own, recording
 * every delivery: exactly what any other consumer bound there would get.
 */
export class AmqpTap extends Recorder<ConsumeMessage> {
  readonly #connection: ChannelModel;
  readonly #channel: Channel;
  readonly #queue: string;
  readonly #exchange: string;
  readonly #routingKey: string;

  private constructor(connection: ChannelModel, channel: Channel, queue: string, exchange: string, routingKey: string) {
    super({ name: `tap on ${exchange || 'the default exchange'}` });
    this.#connection = connection;
    this.#channel = channel;
    this.#queue = queue;
    this.#exchange = exchange;
    this.#routingKey = routingKey;
  }

  /** Binds a new exclusive queue to `exchange` and starts recording. */
  static async open(exchange: string, options: AmqpTapOptions = {}): Promise<AmqpTap> {
    const routingKey = options.routingKey ?? '';
    const connection = await amqp.connect(options.url ?? testConfig().rabbitmqUrl);
    const channel = await connection.createChannel();
    if (options.declare) await channel.assertExchange(exchange, 'fanout', { durable: true });
    const { queue } = await channel.assertQueue('', { exclusive: true });
    await channel.bindQueue(queue, exchange, routingKey);
    const tap = new AmqpTap(connection, channel, queue, exchange, routingKey);
    await channel.consume(queue, (message) => message && tap.push(message), { noAck: true });
    return tap;
  }

  /** Stops (false) or resumes (true) receiving: the queue is exclusive, so only the tap can unbind it. */
  async setBound(bound: boolean): Promise<void> {
    if (bound) await this.#channel.bindQueue(this.#queue, this.#exchange, this.#routingKey);
    else await this.#channel.unbindQueue(this.#queue, this.#exchange, this.#routingKey);
  }

  /**
   * Everything recorded so far that was routed before now: a sentinel sent straight to the queue
   * comes after whatever was already routed to it (a confirmed publish was), so once it is back,
   * anything else that was going to arrive has arrived. How to prove that something did not.
   */
  async settle(options: WaitOptions = {}): Promise<ConsumeMessage[]> {
    const id = randomUUID();
    const back = this.waitFor((message) => message.properties.messageId === id, { what: 'the sentinel', ...options });
    this.#channel.sendToQueue(this.#queue, Buffer.from('{}'), { messageId: id, type: SENTINEL_TYPE });
    await back;
    return this.all.filter((message) => message.properties.type !== SENTINEL_TYPE);
  }

  async close(): Promise<void> {
    await this.#connection.close();
  }
}

/** The JSON body of a delivery. */
// biome-ignore lint/suspicious/noExplicitAny: test bodies are inspected field by field.
export function bodyOf(message: ConsumeMessage): any {
  return JSON.parse(message.content.toString('utf8'));
}
