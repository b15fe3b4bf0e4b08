import { type DeliveryLike, publisherOf } from './delivery.ts';

/** The AMQP users whose author headers and `created_at` are believed (chat-api in a deployment). */
export type TrustedPublishers = ReadonlySet<string> | readonly string[];

/** Whether the delivery was published (as RabbitMQ vouches through `user_id`) by a trusted service. */
export function isTrustedPublisher(delivery: DeliveryLike, trusted: TrustedPublishers): boolean {
  const publisher = publisherOf(delivery);
  if (publisher === undefined) return false;
  return 'has' in trusted ? trusted.has(publisher) : trusted.includes(publisher);
}
