import { EventEmitter } from 'node:events';
import { type AmqpClient, Consumer, chatApiInstanceQueue } from '@warren/shared/amqp';
import type { Logger } from '@warren/shared/logging';
import { Counter, type Registry } from 'prom-client';
import type { z } from 'zod';

/** One kind of event this instance's queue carries, and what to do with it. */
export interface FeedRoute<T> {
  /** Its name in logs and metrics (the routing key, or its pattern). */
  readonly event: string;
  /** Whether a routing key is this route's. */
  matches(routingKey: string): boolean;
  /** The only AMQP user (`user_id`, which the broker checks) whose events of this kind are believed. */
  readonly trustedUser: string;
  /** The body's shape; `routingKey` lets it check what the key says too. */
  schema(routingKey: string): z.ZodType<T>;
  /** Applies a trusted, well-formed event. */
  apply(data: T): void;
}

/** Events of an {@link InstanceFeed}. */
export interface InstanceFeedEvents {
  /** Consuming started: at the start (`first`) and after every reconnect, when events were missed. */
  started: [first: boolean];
  /** Events are missed from now on (the connection is lost or the broker cancelled the consume). */
  lost: [];
  /** An event was ignored (for tests): from an untrusted publisher, malformed, or of no route. */
  ignored: [event: string, reason: 'untrusted' | 'invalid' | 'unrouted'];
}

/** Options of {@link InstanceFeed}. */
export interface InstanceFeedOptions {
  /** Routes by routing key; the first that matches takes the event. */
  // biome-ignore lint/suspicious/noExplicitAny: each route checks its own body type.
  routes: readonly FeedRoute<any>[];
  logger: Logger;
  registry: Registry;
}

/**
 * The one consumer of this instance's own queue (`warren.chat-api.instance.<id>`, exclusive, bound
 * on `warren.events` to `membership.changed`, `login.ended` and `presence.*`), which hands each
 * event to its route. An event is believed only from its route's trusted AMQP user: any other,
 * and a malformed body, changes nothing (logged, counted in
 * `warren_chat_api_instance_events_ignored_total{event,reason}`). Every delivery is acknowledged
 * at once: what they carry is applied in memory, and what a lost one would have said is made good
 * by the routes' own catch-up when consuming starts again.
 */
export class InstanceFeed extends EventEmitter<InstanceFeedEvents> {
  readonly #options: InstanceFeedOptions;
  readonly #log: Logger;
  readonly #ignored: Counter<'event' | 'reason'>;

  constructor(options: InstanceFeedOptions) {
    super();
    this.#options = options;
    this.#log = options.logger.child({ module: 'instance-feed' });
    this.#ignored = new Counter({
      name: 'warren_chat_api_instance_events_ignored_total',
      help: 'Events of the instance queue ignored: from an untrusted publisher, malformed, or unrouted',
      labelNames: ['event', 'reason'],
      registers: [options.registry],
    });
  }

  /**
   * Consumes the queue of instance `instanceId` until the returned function is called; emits
   * `started` each time consuming starts (the first time before it resolves) and `lost` when events
   * start being missed.
   */
  async follow(amqp: AmqpClient, instanceId: string): Promise<() => Promise<void>> {
    const lost = () => this.emit('lost');
    amqp.on('disconnected', lost);
    const { consumer, stop } = await Consumer.start(amqp, {
      queue: chatApiInstanceQueue(instanceId),
      prefetch: 64,
      logger: this.#options.logger,
      onMessage: (delivery) => {
        delivery.ack();
        const { fields, properties, content } = delivery.message;
        this.#dispatch(fields.routingKey, properties.userId, properties.messageId, content);
      },
    });
    const started = () => this.emit('started', false);
    consumer.on('started', started);
    // The broker cancelled the consume (the queue was deleted): events are missed until it resumes.
    consumer.on('cancelled', lost);
    // The first consume started inside Consumer.start, before the listener was on.
    this.emit('started', true);
    return async () => {
      amqp.off('disconnected', lost);
      consumer.off('started', started);
      consumer.off('cancelled', lost);
      this.emit('lost');
      await stop();
    };
  }

  #dispatch(routingKey: string, userId: unknown, messageId: unknown, content: Buffer): void {
    const route = this.#options.routes.find((candidate) => candidate.matches(routingKey));
    if (route === undefined) {
      this.#ignore('other', 'unrouted', { routingKey });
      return;
    }
    if (userId !== route.trustedUser) {
      this.#ignore(route.event, 'untrusted', { userId, messageId });
      return;
    }
    const parsed = route.schema(routingKey).safeParse(safeJson(content));
    if (!parsed.success) {
      this.#ignore(route.event, 'invalid', { messageId, issues: parsed.error.issues.slice(0, 3) });
      return;
    }
    try {
      route.apply(parsed.data);
    } catch (error) {
      // Already acknowledged: a bug here must not take the consumer down with it.
      this.#log.error({ err: error, event: route.event, messageId }, 'instance queue event not applied');
    }
  }

  #ignore(event: string, reason: 'untrusted' | 'invalid' | 'unrouted', details: object): void {
    this.#ignored.inc({ event, reason });
    this.#log.warn({ ...details, event, reason }, 'instance queue event ignored');
    this.emit('ignored', event, reason);
  }
}

function safeJson(content: Buffer): unknown {
  try {
    return JSON.parse(content.toString('utf8'));
  } catch {
    return undefined;
  }
}
