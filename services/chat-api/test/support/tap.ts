import { randomUUID } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { testConfig } from '@warren/shared/testing';
import amqp, { type Channel, type ChannelModel, type ConsumeMessage } from 'amqplib';

const SENTINEL_TYPE = 'test.sentinel';

/**
 * An exclusive queue bound to an exchange, as the run's administrator through plain amqplib, that
 * records every delivery: what any consumer bound there (a gateway's queue, the persister's) gets.
 */
export class Tap extends EventEmitter<{ message: [ConsumeMessage] }> {
  readonly messages: ConsumeMessage[] = [];
  readonly #connection: ChannelModel;
  readonly #channel: Channel;
  readonly #queue: string;

  private constructor(connection: ChannelModel, channel: Channel, queue: string) {
    super();
    this.#connection = connection;
    this.#channel = channel;
    this.#queue = queue;
  }

  /** Taps an exchange, declaring it first as a fanout (durable) when `declare` is set. */
  static async open(exchange: string, { declare = false, routingKey = '' } = {}): Promise<Tap> {
    const connection = await amqp.connect(testConfig().rabbitmqUrl);
    const channel = await connection.createChannel();
    if (declare) await channel.assertExchange(exchange, 'fanout', { durable: true });
    const { queue } = await channel.assertQueue('', { exclusive: true });
    await channel.bindQueue(queue, exchange, routingKey);
    const tap = new Tap(connection, channel, queue);
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

  /** The first recorded delivery that matches, now or when it arrives. */
  async waitFor(match: (message: ConsumeMessage) => boolean): Promise<ConsumeMessage> {
    for (;;) {
      const found = this.messages.find(match);
      if (found) return found;
      await once(this, 'message');
    }
  }

  /**
   * Everything recorded so far that was routed before now: a sentinel sent straight to the queue
   * comes after whatever was already routed to it (a confirmed publish was), so once it is back,
   * anything else that was going to arrive has arrived. How to prove that something did not.
   */
  async settle(): Promise<ConsumeMessage[]> {
    const id = randomUUID();
    const back = this.waitFor((message) => message.properties.messageId === id);
    this.#channel.sendToQueue(this.#queue, Buffer.from('{}'), { messageId: id, type: SENTINEL_TYPE });
    await back;
    return this.messages.filter((message) => message.properties.type !== SENTINEL_TYPE);
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
