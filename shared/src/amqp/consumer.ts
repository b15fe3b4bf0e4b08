import { EventEmitter } from 'node:events';
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import type { Logger } from 'pino';
import type { AmqpClient, Attachment } from './amqp-client.ts';
import { declareQueue } from './declare.ts';
import type { QueueSpec } from './topology.ts';

/** What a handler may do with the delivery it is given. */
export interface Delivery {
  readonly message: ConsumeMessage;
  /** Acknowledges this delivery (no-op if its channel is gone: the broker redelivers it). */
  ack(): void;
  /** Rejects this delivery; `requeue: false` dead-letters it where the queue has a dead-letter exchange. */
  nack(requeue: boolean): void;
}

/** Options of {@link Consumer}. */
export interface ConsumerOptions {
  /**
   * Queue to consume: its name, or the declaration of a queue of this consumer's own, declared with
   * its bindings on the consumer's channel before consuming, on every connection (an exclusive
   * queue goes with the connection, so a reconnect needs it again).
   */
  queue: string | QueueSpec;
  /** Unacknowledged deliveries the broker may send ahead (per consumer, never global). */
  prefetch: number;
  /** Handles one delivery; it acks or nacks it, now or later (a batch). */
  onMessage: (delivery: Delivery) => void | Promise<void>;
  /**
   * What happens to a delivery whose handler throws: requeued (bounded by the queue's delivery
   * limit) or rejected. @defaultValue false
   */
  requeueOnError?: boolean;
  /**
   * Settles a delivery whose handler threw or rejected, instead of the nack of `requeueOnError`: the
   * persister dead-letters it with the reason, so an operator sees why. Should this throw or reject
   * too, the delivery is nacked after all. A handler's exception
   * never reaches the channel either way: it would close it, and every delivery held on it.
   * @defaultValue none: nack
   */
  onHandlerError?: (error: unknown, delivery: Delivery) => void | Promise<void>;
  /** Logger; logs under `module: 'consumer'`. */
  logger: Logger;
  /**
   * Sends the acknowledgements made in one tick together: one `basic.ack` with `multiple` for those
   * below every delivery still unsettled, one each for the rest, instead of a frame (and a socket
   * write) per delivery. For a consumer that acknowledges many deliveries at once (the persister's
   * batches). @defaultValue false
   */
  coalesceAcks?: boolean;
}

/** Events of {@link Consumer}. */
export interface ConsumerEvents {
  /** Consuming on a (new) channel, after every (re)connect and after the broker cancelled it. */
  started: [consumerTag: string];
  /**
   * The broker cancelled the consumer (its queue was deleted, or the node of a classic queue went
   * away in a cluster): it consumes again, retrying with backoff, on the same connection.
   */
  cancelled: [];
  /** A handler threw. */
  'handler-error': [error: unknown, message: ConsumeMessage];
}

/**
 * A consumer with a bounded prefetch that resumes on every reconnect of its client. Each consumer
 * has its own channel, so one consumer's channel error does not stop the others.
 */
export class Consumer extends EventEmitter<ConsumerEvents> implements Attachment {
  readonly #options: ConsumerOptions;
  readonly #queue: string;
  readonly #log: Logger;
  #channel: Channel | null = null;
  /** The connection it is attached to, until detached: a cancelled consumer consumes again on it. */
  #model: ChannelModel | null = null;
  #retry: NodeJS.Timeout | null = null;
  /** With `coalesceAcks`: tags handed to the handler and not yet settled, and the acks not yet sent. */
  #unsettled = new Set<number>();
  #acks: ConsumeMessage[] = [];
  /** The channel of `#acks`: after a reconnect its tags mean nothing on the new one. */
  #acksChannel: Channel | null = null;

  constructor(options: ConsumerOptions) {
    super();
    if (!Number.isInteger(options.prefetch) || options.prefetch < 1 || options.prefetch > 65_535) {
      throw new RangeError(`prefetch must be an integer from 1 to 65535, got ${options.prefetch}`);
    }
    this.#options = options;
    this.#queue = typeof options.queue === 'string' ? options.queue : options.queue.name;
    this.#log = options.logger.child({ module: 'consumer', queue: this.#queue });
  }

  /** Starts consuming through `client`, now and after every reconnect. @returns stop function. */
  static async start(
    client: AmqpClient,
    options: ConsumerOptions,
  ): Promise<{ consumer: Consumer; stop: () => Promise<void> }> {
    const consumer = new Consumer(options);
    const detach = await client.attach(consumer);
    return {
      consumer,
      stop: async () => {
        const channel = consumer.#channel;
        // Acks made in this tick go before the channel closes, or the broker would redeliver them.
        consumer.#sendAcks();
        detach();
        await channel?.close().catch(() => undefined);
      },
    };
  }

  /** @internal called by the client on every connection. */
  async attach(model: ChannelModel): Promise<void> {
    this.#model = model;
    const channel = await model.createChannel();
    channel.on('error', (error: Error) => this.#log.warn({ err: error }, 'consumer channel error'));
    await channel.prefetch(this.#options.prefetch, false);
    const { queue } = this.#options;
    if (typeof queue !== 'string') await declareQueue(channel, queue);
    this.#unsettled = new Set();
    this.#acks = [];
    const { consumerTag } = await channel.consume(this.#queue, (message) => {
      if (message) this.#handle(channel, message);
      else this.#cancelled(channel);
    });
    if (this.#model !== model) {
      // Detached (stopped, or the connection lost) while this was under way: nothing may consume on.
      await channel.close().catch(() => undefined);
      return;
    }
    this.#channel = channel;
    this.emit('started', consumerTag);
  }

  /** @internal the connection is gone; so are the channel and its unacknowledged deliveries. */
  detach(): void {
    this.#channel = null;
    this.#model = null;
    if (this.#retry) clearTimeout(this.#retry);
    this.#retry = null;
  }

  /**
   * The broker cancelled the consumer, leaving the connection up: without this it would stay
   * connected and consume nothing until the next reconnect. Consumes again on a new channel, after
   * 200 ms doubling up to 5 s while the queue cannot be consumed (a classic queue's node is down).
   */
  #cancelled(channel: Channel): void {
    if (this.#channel !== channel) return;
    this.#log.warn('the broker cancelled the consumer; consuming again');
    this.#channel = null;
    channel.close().catch(() => undefined);
    this.emit('cancelled');
    const model = this.#model;
    const retry = (delayMs: number) => {
      this.#retry = setTimeout(() => {
        this.#retry = null;
        if (model === null || this.#model !== model) return;
        this.attach(model).catch((error: unknown) => {
          if (this.#model !== model) return;
          this.#log.warn({ err: error }, 'consuming again failed; retrying');
          retry(Math.min(delayMs * 2, 5000));
        });
      }, delayMs);
    };
    retry(200);
  }

  /** Sends the acks made since the last call: `multiple` up to the lowest tag still unsettled. */
  #sendAcks(): void {
    const acks = this.#acks;
    if (acks.length === 0) return;
    this.#acks = [];
    const channel = this.#acksChannel;
    if (channel === null || channel !== this.#channel) return;
    let lowestUnsettled = Number.POSITIVE_INFINITY;
    for (const tag of this.#unsettled) if (tag < lowestUnsettled) lowestUnsettled = tag;
    let upTo: ConsumeMessage | null = null;
    for (const message of acks) {
      const tag = message.fields.deliveryTag;
      if (tag > lowestUnsettled) channel.ack(message);
      else if (upTo === null || tag > upTo.fields.deliveryTag) upTo = message;
    }
    if (upTo !== null) channel.ack(upTo, true);
  }

  #handle(channel: Channel, message: ConsumeMessage): void {
    let settled = false;
    const coalesce = this.#options.coalesceAcks ?? false;
    const tag = message.fields.deliveryTag;
    if (coalesce) this.#unsettled.add(tag);
    const fallback = () => delivery.nack(this.#options.requeueOnError ?? false);
    const delivery: Delivery = {
      message,
      ack: () => {
        if (settled) return;
        settled = true;
        if (this.#channel !== channel) return;
        if (!coalesce) return channel.ack(message);
        this.#unsettled.delete(tag);
        if (this.#acksChannel !== channel) this.#sendAcks();
        this.#acksChannel = channel;
        if (this.#acks.push(message) === 1) queueMicrotask(() => this.#sendAcks());
      },
      nack: (requeue) => {
        if (settled) return;
        settled = true;
        if (this.#channel !== channel) return;
        this.#unsettled.delete(tag);
        channel.nack(message, false, requeue);
      },
    };
    Promise.resolve()
      .then(() => this.#options.onMessage(delivery))
      .catch((error: unknown) => {
        this.#log.error({ err: error }, 'delivery handler failed');
        this.emit('handler-error', error, message);
        const { onHandlerError } = this.#options;
        if (onHandlerError === undefined) return fallback();
        return Promise.resolve()
          .then(() => onHandlerError(error, delivery))
          .catch((failure: unknown) => {
            this.#log.error({ err: failure }, 'settling a failed delivery failed; nacking it');
            fallback();
          });
      });
  }
}
