import { type AmqpClient, Consumer, eventKeys, queues } from '@warren/shared/amqp';
import { userRegisteredSchema } from '@warren/shared/contract-schemas';
import type { Logger } from '@warren/shared/logging';
import type { z } from 'zod';
import type { UserDirectory } from '../users/user-directory.ts';

/** Options of {@link startUserFeed}. */
export interface UserFeedOptions {
  /** Unacknowledged deliveries taken at once. */
  prefetch: number;
  /** How long an event that could not be stored (PostgreSQL away) is held before it is requeued. */
  retryMs: number;
  logger: Logger;
}

/**
 * Feeds the copy of users from `warren.chat-api.users` (bound to `warren.events`, `user.*`): each
 * `user.registered` is written, then acknowledged. A delivery that is not a valid event is logged
 * and rejected, so the queue dead-letters it to `warren.dead` (retrying cannot fix it); one that
 * fails to be written (the database is down) is held `retryMs`, then requeued: a requeue at once
 * would spin through the queue's delivery limit while the database is away.
 *
 * @returns the consumer (tests await its `started`) and how to stop it.
 */
export async function startUserFeed(
  amqp: AmqpClient,
  directory: UserDirectory,
  options: UserFeedOptions,
): Promise<{ consumer: Consumer; stop: () => Promise<void> }> {
  const log = options.logger.child({ module: 'user-feed' });
  return Consumer.start(amqp, {
    queue: queues.chatApiUsers.name,
    prefetch: options.prefetch,
    logger: options.logger,
    onHandlerError: (error, delivery) => {
      log.warn({ err: error, retryInMs: options.retryMs }, 'user.registered not stored; requeued after a wait');
      setTimeout(() => delivery.nack(true), options.retryMs).unref();
    },
    onMessage: async (delivery) => {
      const { routingKey } = delivery.message.fields;
      if (routingKey !== eventKeys.userRegistered) {
        // Other user.* events may come one day; none is of use to the copy yet.
        delivery.ack();
        return;
      }
      let body: z.infer<typeof userRegisteredSchema>;
      try {
        body = userRegisteredSchema.parse(JSON.parse(delivery.message.content.toString('utf8')));
      } catch (error) {
        log.warn({ err: error, messageId: delivery.message.properties.messageId }, 'invalid user.registered dropped');
        delivery.nack(false);
        return;
      }
      const { id, username, created_at } = body.user;
      await directory.remember({ id: id.toLowerCase(), username, createdAt: new Date(created_at) });
      delivery.ack();
    },
  });
}
