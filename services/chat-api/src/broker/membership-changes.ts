import { randomUUID } from 'node:crypto';
import {
  type AmqpClient,
  Consumer,
  chatApiInstanceQueue,
  eventKeys,
  exchanges,
  type Publisher,
} from '@warren/shared/amqp';
import type { Logger } from '@warren/shared/logging';
import { Counter, type Registry } from 'prom-client';
import { validate as isUuid } from 'uuid';
import { z } from 'zod';
import type { MembershipCache } from '../sessions/membership-cache.ts';

const uuid = z.string().refine(isUuid, 'must be a UUID');

/** The body of `membership.changed` (docs/amqp.md). */
const membershipChanged = z.object({ session_id: uuid, user_ids: z.array(uuid) });

/** Options of {@link MembershipChanges}. */
export interface MembershipChangesOptions {
  publisher: Publisher;
  /** The AMQP user chat-api publishes as: only its events are believed. */
  publisherUser: string;
  /** This instance's cache, dropped from at once and by every event heard. */
  cache: MembershipCache;
  logger: Logger;
  registry: Registry;
}

/**
 * Tells every chat-api instance, through `warren.events` (`membership.changed`), that members left a
 * session, so none believes a membership its cache still holds; and applies what the others tell.
 */
export class MembershipChanges {
  readonly #options: MembershipChangesOptions;
  readonly #log: Logger;
  readonly #failures: Counter;

  constructor(options: MembershipChangesOptions) {
    this.#options = options;
    this.#log = options.logger.child({ module: 'membership-changes' });
    this.#failures = new Counter({
      name: 'warren_chat_api_membership_change_failures_total',
      help: 'membership.changed events the broker did not confirm (other instances then believe the membership until their cache entry expires)',
      registers: [options.registry],
    });
  }

  /**
   * These users' membership of the session ended (committed): dropped here at once, and published
   * with a confirm for the other instances. Never throws: a publish that fails is logged and
   * counted, and the others' entries expire after the cache's TTL.
   */
  async ended(sessionId: string, userIds: readonly string[]): Promise<void> {
    const { cache, publisher, publisherUser } = this.#options;
    cache.forget(sessionId, userIds);
    const body = Buffer.from(JSON.stringify({ session_id: sessionId, user_ids: userIds }));
    try {
      await publisher.publish(exchanges.events.name, eventKeys.membershipChanged, body, {
        messageId: randomUUID(),
        type: eventKeys.membershipChanged,
        userId: publisherUser,
        contentType: 'application/json',
        timestamp: Math.floor(Date.now() / 1000),
      });
    } catch (error) {
      this.#failures.inc();
      this.#log.error({ err: error, sessionId }, 'membership.changed not published');
    }
  }

  /**
   * Consumes this instance's own queue (exclusive, bound to `membership.changed`) and keeps the
   * cache in use only while it does: reset and on when consuming starts (after every reconnect,
   * since events were missed meanwhile), reset and off when the connection is lost or the broker
   * cancels the consume.
   * @returns how to stop.
   */
  async follow(amqp: AmqpClient, instanceId: string): Promise<() => Promise<void>> {
    const { cache, publisherUser } = this.#options;
    const lost = () => cache.reset(false);
    amqp.on('disconnected', lost);
    const { consumer, stop } = await Consumer.start(amqp, {
      queue: chatApiInstanceQueue(instanceId),
      prefetch: 64,
      logger: this.#options.logger,
      onMessage: (delivery) => {
        const { properties } = delivery.message;
        delivery.ack();
        if (properties.userId !== publisherUser) {
          this.#log.warn({ userId: properties.userId }, 'membership.changed from an untrusted publisher ignored');
          return;
        }
        const parsed = membershipChanged.safeParse(safeJson(delivery.message.content));
        if (!parsed.success) {
          this.#log.warn({ messageId: properties.messageId }, 'invalid membership.changed ignored');
          return;
        }
        cache.forget(
          parsed.data.session_id.toLowerCase(),
          parsed.data.user_ids.map((id) => id.toLowerCase()),
        );
      },
    });
    const started = () => cache.reset(true);
    consumer.on('started', started);
    // The broker cancelled the consume (the queue was deleted): events are missed until it resumes.
    consumer.on('cancelled', lost);
    // The first consume started inside Consumer.start, before the listener was on.
    started();
    return async () => {
      amqp.off('disconnected', lost);
      consumer.off('started', started);
      consumer.off('cancelled', lost);
      cache.reset(false);
      await stop();
    };
  }
}

function safeJson(content: Buffer): unknown {
  try {
    return JSON.parse(content.toString('utf8'));
  } catch {
    return undefined;
  }
}
