import { EventEmitter, once } from 'node:events';
import { exchanges } from '@warren/shared';
import { testConfig } from '@warren/shared/testing';
import amqp, { type Channel, type ChannelModel, type ConsumeMessage } from 'amqplib';

/**
 * Records what is published on `warren.events` under `user.*`, through a plain amqplib connection of
 * its own (an exclusive queue), so tests see exactly what any other consumer would.
 */
export class EventRecorder extends EventEmitter<{ message: [ConsumeMessage] }> {
  readonly messages: ConsumeMessage[] = [];
  #connection: ChannelModel | undefined;
  #channel: Channel | undefined;
  #queue = '';

  async start(): Promise<this> {
    this.#connection = await amqp.connect(testConfig().rabbitmqUrl);
    const channel = await this.#connection.createChannel();
    this.#channel = channel;
    const { queue } = await channel.assertQueue('', { exclusive: true });
    this.#queue = queue;
    await channel.bindQueue(queue, exchanges.events.name, 'user.*');
    await channel.consume(
      queue,
      (message) => {
        if (!message) return;
        this.messages.push(message);
        this.emit('message', message);
      },
      { noAck: true },
    );
    return this;
  }

  /** Stops (false) or resumes (true) receiving: its queue is exclusive, so only it can unbind it. */
  async setBound(bound: boolean): Promise<void> {
    const channel = this.#channel;
    if (!channel) throw new Error('EventRecorder not started');
    if (bound) await channel.bindQueue(this.#queue, exchanges.events.name, 'user.*');
    else await channel.unbindQueue(this.#queue, exchanges.events.name, 'user.*');
  }

  /** The first recorded message that matches, now or when it arrives. */
  async waitFor(match: (message: ConsumeMessage) => boolean): Promise<ConsumeMessage> {
    for (;;) {
      const found = this.messages.find(match);
      if (found) return found;
      await once(this, 'message');
    }
  }

  async stop(): Promise<void> {
    await this.#connection?.close();
  }
}
