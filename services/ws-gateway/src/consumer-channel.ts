import {
  type Attachment,
  declareExchange,
  type ExchangeSpec,
  type QueueSpec,
  userExchange,
  wsQueue,
} from '@warren/shared/amqp';
import { SharedErrors } from '@warren/shared/errors';
import type { Logger } from '@warren/shared/logging';
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';

/** Declaration channels per broker connection: a refused declaration closes only its own. */
const DECLARE_CHANNELS = 4;

/** User exchanges remembered as declared, at most (about 100 bytes each). */
const MAX_REMEMBERED_EXCHANGES = 100_000;

/** Awaits every promise, then throws the first rejection, if any (none is left unhandled). */
async function settleAll(promises: readonly Promise<unknown>[]): Promise<void> {
  const failed = (await Promise.allSettled(promises)).find((result) => result.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
}

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
 * topology.ts), binds it and consumes it, on one consume channel and {@link DECLARE_CHANNELS}
 * declaration channels shared by every connection, so a connection costs a few broker operations
 * once and a delivery costs none.
 *
 * - Consumers use `noAck`: the queues are exclusive to this gateway's broker connection and die
 *   with it, so an acknowledgement could never lead to a redelivery; the broker bounds what it has
 *   in flight by TCP flow control, the queue by `x-max-length`, and the gateway each socket by
 *   SLOW_CLIENT_BUFFER_BYTES (docs/ws-gateway.md "Flow control" has the measurements).
 * - Declarations run on channels of their own, so a refused declaration (which closes its
 *   channel) never takes the consumers with it; it fails the other declarations then in flight on
 *   that one channel (those sockets get 1011 and reconnect), as it did with one channel.
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
  /** The declaration channels, used in turn, so the broker runs several connections' declarations at once. */
  #declare: (Promise<Channel> | null)[] = new Array(DECLARE_CHANNELS).fill(null);
  #nextDeclare = 0;
  /** User exchanges declared on this broker connection, oldest first. */
  #declaredExchanges = new Set<string>();
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
    this.#declare = new Array(DECLARE_CHANNELS).fill(null);
    this.#declaredExchanges = new Set();
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
   * The broker operations overlap where their order allows: the queue and the user's exchange are
   * declared at once on two declaration channels, then the binding and the consume go together;
   * it resolves once the binding is made, so nothing published after `ready` is missed. A user's
   * exchange is declared once per broker connection (exchanges are durable and nothing in Warren
   * deletes them); should one have been deleted since, the binding's 404 makes it declared again.
   *
   * @throws BROKER_UNAVAILABLE when not connected; the broker's error when it refuses a declaration
   * or the consume (then no queue is left behind).
   */
  async subscribe(userId: string, connectionId: string, handler: SubscriptionHandler): Promise<Subscription> {
    const spec = wsQueue(userId, connectionId);
    const exchange = userExchange(userId);
    // What the consumer's callbacks keep for the connection's life: the name, not the whole spec.
    const queue = spec.name;
    const epoch = this.#consumeEpoch;
    let queueMade = false;
    let channel: Channel | undefined;
    let consumerTag: string | undefined;
    try {
      const declare = await this.#declareChannel();
      await settleAll([
        declare.assertQueue(spec.name, { ...spec.options, arguments: { ...spec.options.arguments } }).then(() => {
          queueMade = true;
        }),
        this.#declareUserExchange(exchange),
      ]);
      const consume = await this.#consumeChannel();
      channel = consume;
      await settleAll([
        this.#bind(declare, spec, exchange),
        consume
          .consume(
            queue,
            (message) => {
              if (message) this.#deliver(handler, queue, message);
              else this.#lose(consumerTag ?? '', 'the broker cancelled the consumer: its queue was deleted');
            },
            { noAck: true, exclusive: true },
          )
          .then((reply) => {
            consumerTag = reply.consumerTag;
          }),
      ]);
    } catch (error) {
      // The queue is auto-delete once consumed; an exclusive queue never consumed is not: remove it.
      if (channel !== undefined && consumerTag !== undefined) await channel.cancel(consumerTag).catch(() => undefined);
      else if (queueMade) {
        await this.#declareChannel()
          .then((declare) => declare.deleteQueue(queue))
          .catch(() => undefined);
      }
      throw error;
    }
    if (this.#consumeEpoch !== epoch || consumerTag === undefined) {
      // The channel closed while the consume was answered: the queue is gone already.
      throw new SharedErrors.brokerUnavailable('the consumer channel closed');
    }
    const tag = consumerTag;
    const consumeChannel = channel;
    this.#subscriptions.set(tag, handler);
    return {
      queue,
      cancel: async () => {
        if (!this.#subscriptions.delete(tag)) return;
        await consumeChannel.cancel(tag).catch((error: unknown) => {
          this.#log.debug({ err: error, queue }, 'cancelling a consumer failed');
        });
      },
    };
  }

  /** Declares a user's exchange unless this broker connection did already. */
  async #declareUserExchange(exchange: ExchangeSpec): Promise<void> {
    if (this.#declaredExchanges.has(exchange.name)) return;
    await declareExchange(await this.#declareChannel(), exchange);
    if (this.#declaredExchanges.size >= MAX_REMEMBERED_EXCHANGES) {
      const oldest = this.#declaredExchanges.values().next();
      if (!oldest.done) this.#declaredExchanges.delete(oldest.value);
    }
    this.#declaredExchanges.add(exchange.name);
  }

  /** Binds the queue; a 404 for a remembered exchange (deleted since) declares it again, once. */
  async #bind(declare: Channel, spec: QueueSpec, exchange: ExchangeSpec): Promise<void> {
    try {
      for (const binding of spec.bindings) await declare.bindQueue(spec.name, binding.source, binding.routingKey);
    } catch (error) {
      if ((error as { code?: unknown }).code !== 404 || !this.#declaredExchanges.delete(exchange.name)) throw error;
      this.#log.warn({ exchange: exchange.name }, 'a user exchange was deleted: declaring it again');
      await this.#declareUserExchange(exchange);
      const again = await this.#declareChannel();
      for (const binding of spec.bindings) await again.bindQueue(spec.name, binding.source, binding.routingKey);
    }
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

  /** The next declaration channel in turn, opened on first use after a connect or a refused declaration. */
  async #declareChannel(): Promise<Channel> {
    const index = this.#nextDeclare;
    this.#nextDeclare = (index + 1) % DECLARE_CHANNELS;
    const current = this.#declare[index];
    if (current !== null && current !== undefined) return current;
    const opening = this.#open('declare', () => {
      if (this.#declare[index] === opening) this.#declare[index] = null;
    });
    this.#declare[index] = opening;
    return opening;
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
