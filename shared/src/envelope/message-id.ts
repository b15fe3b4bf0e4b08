import { v5, v7 } from 'uuid';
import { type DeliveryLike, publisherOf, timestampOf } from './delivery.ts';
import { EnvelopeError } from './envelope-error.ts';
import { canonicalUuid } from './uuid.ts';

/** The UUIDv5 namespace of derived message ids. Fixed forever: changing it changes every derived id. */
export const MESSAGE_ID_NAMESPACE = 'fc5351cf-2ac7-4fd0-9e76-b74d667f8806';

/**
 * A new message id for a producer to put in `message_id`: a time-ordered UUIDv7, as Warren makes
 * them (HTTP.md). A producer that sends none gets a derived id, which makes two publishes of the
 * same text in the same second one message.
 */
export function newMessageId(): string {
  return v7();
}

/**
 * The id of the message in a delivery (AMQP.md "A chat message on the wire").
 *
 * - `message_id` present: that UUID, lower-cased.
 * - `message_id` absent (or empty): `UUIDv5(MESSAGE_ID_NAMESPACE, name)`, where the name is the bytes
 *   of the UTF-8 string `<exchange>\n<timestamp>\n<user_id>\n` followed by the raw body bytes.
 *   `<timestamp>` is the `timestamp` property in decimal ASCII digits without sign or leading zeros,
 *   `<user_id>` the `user_id` property; each is the empty string when absent. Every consumer, in any
 *   language, derives the same id from the same delivery, so a redelivered or fanned-out copy of a
 *   message without an id is still one message.
 *
 * @throws EnvelopeError `invalid_message_id` when `message_id` is present but not a UUID.
 */
export function messageIdOf(delivery: DeliveryLike): string {
  const given = delivery.properties.messageId;
  if (given !== undefined && given !== null && given !== '') {
    const id = canonicalUuid(given);
    if (id === null) throw new EnvelopeError('invalid_message_id', 'the message_id property is not a UUID');
    return id;
  }
  const head = Buffer.from(
    `${delivery.fields.exchange}\n${timestampOf(delivery) ?? ''}\n${publisherOf(delivery) ?? ''}\n`,
    'utf8',
  );
  return v5(Buffer.concat([head, delivery.content]), MESSAGE_ID_NAMESPACE);
}
