import { randomUUID } from 'node:crypto';
import { eventKeys, exchanges, type Publisher } from '@warren/shared/amqp';
import type { User } from './user-store.ts';

/**
 * Publishes `user.registered` on `warren.events` (AMQP.md) and resolves only once the broker has
 * confirmed it, so chat-api's copy of users hears of every registration the service acknowledges.
 */
export async function publishUserRegistered(publisher: Publisher, publisherUser: string, user: User): Promise<void> {
  await publisher.publish(exchanges.events.name, eventKeys.userRegistered, Buffer.from(JSON.stringify({ user })), {
    messageId: randomUUID(),
    type: eventKeys.userRegistered,
    userId: publisherUser,
    contentType: 'application/json',
    deliveryMode: 2,
    timestamp: Math.floor(Date.now() / 1000),
  });
}
