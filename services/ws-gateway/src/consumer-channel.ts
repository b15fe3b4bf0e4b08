import { type Attachment, declareExchange, declareQueue, userExchange, wsQueue } from '@warren/shared/amqp';
import { SharedErrors } from '@warren/shared/errors';
import type { Logger } from '@warren/shared/logging';
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';

/** What a subscription calls back. */
export interface SubscriptionHandler {
  /** A delivery from the connection's queue; the broker considers it delivered (no acks). */
  onDelivery(message: ConsumeMessage): void;
  /**
   * The subscription ended without being cancelled: the broker connection or the shared channel
   * closed, or the broker cancelled the consumer (its queue was deleted). Whatever was published
   * meanwhile is lost to this connection, so the client must reconnect and fill the gap.
   */
  onLost(reason: string): void;
}

/** One connection's consumer on the shared channel. */
export interface Subscription {
  /** `warren.ws.<userId>.<connectionId>`. */
  readonly queue: string;
  /**
   * Cancels the consumer; the queue is auto-delete, so it goes too. Never rejects, and does nothing
   * once the channel is gone (the queue went with it) or the channel is stopped.
   */
  cancel(): Promise<void>;
}

/** Options of {@link ConsumerChannel}. */
export interface ConsumerChannelOptions {
  /** Logger; logs under `module: 'consumer-channel'`. */
  readonly logger: Logger;
  /**
   * Called with what a subscription's `onDelivery` threw, after the delivery was dropped (for a
   * metric). @defaultValue none
   */
  readonly onDeliveryFailed?: (error: unknown) => void;
}

/**
 * The broker side of every WebSocket connection of this gateway: per connection it declares the
 * user's exchange and the connection's queue (exclusive, auto-delete, length-limited, from
 * topology.ts), binds it and consumes it, all on two channels shared by every connection, so a
 * connection costs a few broker operations once and a delivery costs none.
 *
 * - Consumers use `noAck`: the queues are exclusive to this gateway's broker connection and die
 *   with it, so an acknowledgement could never lead to a redelivery; the broker bounds what it has
 *   in flight by TCP flow control, the queue by `x-max-length`, and the gateway each socket by
 *   SLOW_CLIENT_BUFFER_BYTES (docs/ws-gateway.md "Flow control" has the measurements).
 * - Declarations run on a channel of their own, so a refused declaration (which closes its
 *   channel) never takes the consumers with it.
 * - A channel error closes every consumer on that channel and RabbitMQ then deletes their
 *   auto-delete queues: every affected subscription is reported lost (the gateway closes those
 *   sockets with 1011) and the next subscription opens a new channel. Re-consuming would need new
 *   queues and would silently skip what was published in between.
 *
 * - A delivery its handler throws on is dropped, logged and reported to `onDeliveryFailed`, and
 *   the others flow on: an exception escaping amqplib's consume callback would close the shared
 *   channel, and with it every connection of this gateway (1011), for one bad message.
 *
 * Set up on every broker connection by the {@link AmqpClient} it is attached to.
 */
export class ConsumerChannel implements Attachment {
  readonly #log: Logger;
  readonly #onDeliveryFailed: (error: unknown) => void;
  #model: ChannelModel | null = null;
  #consume: Promise<Channel> | null = null;
  #declare: Promise<Channel> | null = null;
  /** The subscriptions on the current consume channel, by consumer tag. */
  #subscriptions = new Map<string, SubscriptionHandler>();
  /** Counts consume channels lost, so a subscription can tell its channel closed while it was made. */
  #consumeEpoch = 0;
  #stopped = false;

  constructor(options: ConsumerChannelOptions) {
    this.#log = options.logger.child({ module: 'consumer-channel' });
    this.#onDeliveryFailed = options.onDeliveryFailed ?? (() => undefined);
  }

  /** @internal called by the client on every connection: opens the channels. */
  async attach(model: ChannelModel): Promise<void> {
    this.#model = model;
    await Promise.all([this.#consumeChannel(), this.#declareChannel()]);
  }

  /** @internal the connection is gone, and every consumer and queue with it. */
  detach(): void {
    this.#model = null;
    this.#consume = null;
    this.#declare = null;
    this.#consumeEpoch += 1;
    this.#loseAll('lost the broker connection');
  }

  /**
   * Stops reporting: later losses and cancels are ignored, for a shutdown that closes every socket
   * itself and then the broker connection, which removes every queue at once.
   */
  stop(): void {
    this.#stopped = true;
    this.#subscriptions.clear();
  }

  /**
   * Declares `warren.user.<userId>` and the connection's queue bound to it, and consumes the queue.
   * Deliveries may reach `handler` before this resolves.
   *
   * @throws BROKER_UNAVAILABLE when not connected; the broker's error when it refuses a declaration
   * or the consume (then no queue is left behind).
   */
  async subscribe(userId: string, connectionId: string, handler: SubscriptionHandler): Promise<Subscription> {
    const spec = wsQueue(userId, connectionId);
    const declare = await this.#declareChannel();
    await declareExchange(declare, userExchange(userId));
    await declareQueue(declare, spec);
    const epoch = this.#consumeEpoch;
    let channel: Channel;
    let consumerTag = '';
    try {
      channel = await this.#consumeChannel();
      const reply = await channel.consume(
        spec.name,
        (message) => {
          if (message) this.#deliver(handler, spec.name, message);
          else this.#lose(consumerTag, 'the broker cancelled the consumer: its queue was deleted');
        },
        { noAck: true, exclusive: true },
      );
      consumerTag = reply.consumerTag;
    } catch (error) {
      // An exclusive queue that never had a consumer is not auto-deleted: remove it.
      await declare.deleteQueue(spec.name).catch(() => undefined);
      throw error;
    }
    if (this.#consumeEpoch !== epoch) {
      // The channel closed while the consume was answered: the queue is gone already.
      throw new SharedErrors.brokerUnavailable('the consumer channel closed');
    }
    this.#subscriptions.set(consumerTag, handler);
    return {
      queue: spec.name,
      cancel: async () => {
        if (!this.#subscriptions.delete(consumerTag)) return;
        await channel.cancel(consumerTag).catch((error: unknown) => {
          this.#log.debug({ err: error, queue: spec.name }, 'cancelling a consumer failed');
        });
      },
    };
  }

  /** Hands a delivery to its handler; one it cannot take is dropped, never thrown into amqplib. */
  #deliver(handler: SubscriptionHandler, queue: string, message: ConsumeMessage): void {
    try {
      handler.onDelivery(message);
    } catch (error) {
      this.#log.error(
        { err: error, queue, messageId: message.properties.messageId, exchange: message.fields.exchange },
        'a delivery could not be handled: dropped',
      );
      this.#onDeliveryFailed(error);
    }
  }

  #lose(consumerTag: string, reason: string): void {
    const handler = this.#subscriptions.get(consumerTag);
    if (handler === undefined) return;
    this.#subscriptions.delete(consumerTag);
    handler.onLost(reason);
  }

  #loseAll(reason: string): void {
    const lost = [...this.#subscriptions.values()];
    this.#subscriptions = new Map();
    for (const handler of lost) handler.onLost(reason);
  }

  /** The shared consume channel, opened on first use after a connect or a channel error. */
  async #consumeChannel(): Promise<Channel> {
    if (this.#consume === null) {
      const opening = this.#open('consume', () => {
        if (this.#consume !== opening) return;
        this.#consume = null;
        this.#consumeEpoch += 1;
        if (this.#subscriptions.size > 0) {
          this.#log.warn({ connections: this.#subscriptions.size }, 'consumer channel lost: closing its connections');
        }
        this.#loseAll('the consumer channel closed');
      });
      this.#consume = opening;
    }
    return this.#consume;
  }

  /** The shared declaration channel, opened on first use after a connect or a refused declaration. */
  async #declareChannel(): Promise<Channel> {
    if (this.#declare === null) {
      const opening = this.#open('declare', () => {
        if (this.#declare === opening) this.#declare = null;
      });
      this.#declare = opening;
    }
    return this.#declare;
  }

  /**
   * Opens a channel; `onClose` runs when it closes or fails to open, so it is opened again next time.
   * @throws BROKER_UNAVAILABLE (synchronously) when not connected or stopped.
   */
  #open(purpose: string, onClose: () => void): Promise<Channel> {
    const model = this.#model;
    if (model === null || this.#stopped)
      throw new SharedErrors.brokerUnavailable('not connected to the message broker');
    const opening = model.createChannel().then((channel) => {
      channel.on('error', (error: Error) => this.#log.warn({ err: error, purpose }, 'channel closed by the broker'));
      channel.on('close', onClose);
      return channel;
    });
    opening.catch(onClose);
    return opening;
  }
}
