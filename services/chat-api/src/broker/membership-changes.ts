import { randomUUID } from 'node:crypto';
import { eventKeys, exchanges, type Publisher } from '@warren/shared/amqp';
import type { Logger } from '@warren/shared/logging';
import { Counter, type Registry } from 'prom-client';
import type { MembershipCache } from '../sessions/membership-cache.ts';
import type { InstanceFeed } from './instance-feed.ts';

/** Options of {@link MembershipChanges}. */
export interface MembershipChangesOptions {
  publisher: Publisher;
  /** The AMQP user chat-api publishes as (`user_id`). */
  publisherUser: string;
  /** This instance's cache, dropped from at once and by every event heard. */
  cache: MembershipCache;
  logger: Logger;
  registry: Registry;
}

/**
 * Tells every chat-api instance, through `warren.events` (`membership.changed`), that members left a
 * session, so none believes a membership its cache still holds; and applies what the others tell
 * (through the {@link InstanceFeed}, which believes only chat-api's own AMQP user).
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

  /** Applies what another instance told (`membership.changed`, from chat-api's own AMQP user). */
  apply(sessionId: string, userIds: readonly string[]): void {
    this.#options.cache.forget(sessionId, userIds);
  }
}
