import { exchanges, type Publisher, type PublishOptions } from '@warren/shared/amqp';
import { envelopeHeaders, messageIdOf } from '@warren/shared/envelope';
import type { Message } from 'amqplib';

/** A dead letter ready to publish. */
export interface DeadLetter {
  readonly content: Buffer;
  readonly options: PublishOptions;
}

/**
 * The dead letter of a delivery: the original body and properties, with the headers
 * `x-warren-error` (`reason`), `x-warren-original-exchange` and `x-warren-original-user-id` (see
 * `envelopeHeaders`), so a tool can put it back where it was. Three properties change, each so the
 * letter survives: `user_id` moves into that header (only its own user may publish with it);
 * `expiration` is dropped, as RabbitMQ's own dead-lettering does, so the letter waits for an
 * operator instead of expiring; delivery mode is persistent, so it outlives a broker restart. A
 * message without `message_id` gets the id the envelope derives for it (the same every consumer
 * derives), since the publisher needs one.
 */
export function deadLetterOf(message: Message, reason: string): DeadLetter {
  const { userId, expiration: _expiration, clusterId: _clusterId, headers, messageId, ...rest } = message.properties;
  const kept = Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined && value !== null));
  return {
    content: message.content,
    options: {
      ...kept,
      messageId: typeof messageId === 'string' && messageId !== '' ? messageId : messageIdOf(message),
      deliveryMode: 2,
      headers: {
        ...headers,
        [envelopeHeaders.error]: reason,
        [envelopeHeaders.originalExchange]: message.fields.exchange,
        ...(typeof userId === 'string' && userId !== '' ? { [envelopeHeaders.originalUserId]: userId } : {}),
      },
    },
  };
}

/**
 * Publishes the dead letter of a delivery to `warren.dead` and resolves once the broker confirmed
 * it (publisher confirms, `mandatory`): only then may the original be acknowledged.
 * @returns the dead letter's message id.
 * @throws BROKER_UNAVAILABLE when the broker did not confirm it.
 */
export async function publishDeadLetter(publisher: Publisher, message: Message, reason: string): Promise<string> {
  const { content, options } = deadLetterOf(message, reason);
  await publisher.publish(exchanges.dead.name, message.fields.routingKey, content, options);
  return options.messageId;
}
