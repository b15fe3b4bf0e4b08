/**
 * Where a message in a delivery comes from: its id, its author and when it was written. Each is
 * read from the delivery's properties, and the author and `created_at` are believed only from a
 * trusted publisher (AMQP.md).
 */
import { v5, v7 } from 'uuid';
import { z } from 'zod';
import { limits } from '../limits.ts';
import type { Author } from './chat-message.ts';
import {
  type DeliveryLike,
  envelopeHeaders,
  isTrustedPublisher,
  publisherOf,
  type TrustedPublishers,
  timestampOf,
} from './delivery.ts';
import { EnvelopeError } from './errors.ts';
import { canonicalUuid } from './field-rules.ts';

/** The UUIDv5 namespace of derived message ids. Fixed forever: changing it changes every derived id. */
export const MESSAGE_ID_NAMESPACE = 'fc5351cf-2ac7-4fd0-9e76-b74d667f8806';

/**
 * A new message id for a producer to put in `message_id`: a time-ordered UUIDv7, as Warren makes
 * them (HTTP.md). A producer that sends none gets a derived id, which makes two publishes of the
 * same text in the same second one message.
 */
export function newMessageId(): string {
  return v7({ random: randomBytes16() });
}

/**
 * A new id for an event that changes a stored message (an edit, a delete, a reaction): a UUIDv7
 * that is also ordered within one millisecond in this process (uuid's monotonic counter), since
 * history applies changes of one message in the order of their ids: a quick add-then-remove of a
 * reaction must stay in that order.
 */
export function newChangeId(): string {
  return v7();
}

/**
 * Random bytes for ids, drawn 4 KiB at a time: one `getRandomValues` per id (what `v7()` does)
 * was 3 % of chat-api's CPU per post. Ids stay ordered by their millisecond, in no order within one.
 */
const randomPool = new Uint8Array(4096);
let randomUsed = randomPool.length;

function randomBytes16(): Uint8Array {
  if (randomUsed === randomPool.length) {
    crypto.getRandomValues(randomPool);
    randomUsed = 0;
  }
  const bytes = randomPool.subarray(randomUsed, randomUsed + 16);
  randomUsed += 16;
  return bytes;
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

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A header as text: amqplib hands long strings over as either `string` or `Buffer`. */
function headerText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (!(value instanceof Uint8Array)) return undefined;
  try {
    return utf8.decode(value);
  } catch {
    return undefined;
  }
}

/**
 * Who wrote the message in a delivery (AMQP.md), the same rule in every consumer:
 *
 * - `user_id` is a trusted publisher and it sent the `x-warren-author-id` (a UUID) and
 *   `x-warren-author-name` (a valid username) headers → that chat user, id lower-cased;
 * - `user_id` is any other AMQP user → a bot named by that user, whatever headers it sent (so a
 *   third-party producer cannot speak as a chat user). A trusted publisher that sends neither author
 *   header is also a bot named by itself: a service speaking for itself;
 * - no `user_id` → null, an unattributed message: nobody vouches for it, and clients show it as
 *   unverified, never as Warren's own.
 *
 * Header values may be strings or byte arrays holding UTF-8.
 *
 * @throws EnvelopeError `invalid_author` when a trusted publisher sends only one author header, or
 * one that is not a UUID / a valid username: a bug in that service, not a bot message.
 */
export function authorOf(delivery: DeliveryLike, trustedPublishers: TrustedPublishers): Author {
  const publisher = publisherOf(delivery);
  if (publisher === undefined) return null;
  if (!isTrustedPublisher(delivery, trustedPublishers)) return { kind: 'bot', name: publisher };

  const headers = delivery.properties.headers ?? {};
  const rawId = headers[envelopeHeaders.authorId];
  const rawName = headers[envelopeHeaders.authorName];
  if (rawId === undefined && rawName === undefined) return { kind: 'bot', name: publisher };

  const id = canonicalUuid(headerText(rawId));
  if (id === null) throw new EnvelopeError('invalid_author', `the ${envelopeHeaders.authorId} header is not a UUID`);
  const username = headerText(rawName);
  if (username === undefined || !limits.username.pattern.test(username)) {
    throw new EnvelopeError('invalid_author', `the ${envelopeHeaders.authorName} header is not a valid username`);
  }
  return { kind: 'user', id, username };
}

/** Date and time with seconds and a `Z` or `±hh:mm` offset: an instant, never a local time. */
const isoInstant = z.iso.datetime({ offset: true });

/** The first second of `limits.timestampYears.min`, in seconds since 1970. */
const MIN_TIMESTAMP = Date.UTC(limits.timestampYears.min, 0, 1) / 1000;
/** The last second of `limits.timestampYears.max`, in seconds since 1970. */
const MAX_TIMESTAMP = Date.UTC(limits.timestampYears.max + 1, 0, 1) / 1000 - 1;

/**
 * The `timestamp` property in seconds since 1970, or undefined when absent (`undefined` or `null`).
 *
 * @throws EnvelopeError `invalid_timestamp` when it is present and not a whole number of seconds in
 * the years 2000 to 9999 (`limits.timestampYears`, AMQP.md): a producer cannot pin its message
 * above all newer activity, nor send a time that clients show and PostgreSQL refuses.
 */
function checkedTimestampOf(delivery: DeliveryLike): number | undefined {
  const value = delivery.properties.timestamp;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < MIN_TIMESTAMP || value > MAX_TIMESTAMP) {
    throw new EnvelopeError(
      'invalid_timestamp',
      `the timestamp property is not a time in the years ${limits.timestampYears.min} to ${limits.timestampYears.max}`,
    );
  }
  return value;
}

/**
 * When the message in a delivery was written (AMQP.md), as ISO-8601 UTC with milliseconds:
 *
 * 1. the body's `created_at` when a trusted publisher sent it: it knows when its user posted;
 * 2. else the `timestamp` property (seconds since 1970), when present;
 * 3. else `receivedAt`, the time the consumer received the delivery.
 *
 * An untrusted publisher's `created_at` is ignored, so a bot cannot backdate its messages. The
 * `timestamp` property is checked whichever time wins (see {@link checkedTimestampOf}). A trusted
 * `created_at` must fall in the same years 2000 to 9999 (`limits.timestampYears`): one range for
 * every time a message carries, so the encoder's `timestamp` (the seconds of `created_at`) is always
 * valid, and every time is one PostgreSQL keeps and ISO-8601 writes in four digits. A time in the
 * future is allowed but does not order sessions: the persister bumps a session to at most the time
 * it stored the message.
 *
 * @param body the decoded body (null for a plain-text body, which has no `created_at`).
 * @throws EnvelopeError `invalid_timestamp` (see {@link checkedTimestampOf}); `invalid_created_at`
 * when a trusted publisher's `created_at` is not an ISO-8601 date-time with seconds and an offset,
 * or falls outside the years 2000 to 9999 in UTC.
 */
export function createdAtOf(
  delivery: DeliveryLike,
  body: { readonly created_at?: string | undefined } | null,
  trustedPublishers: TrustedPublishers,
  receivedAt: Date,
): string {
  const claimed = body?.created_at;
  const trusted =
    claimed !== undefined && isTrustedPublisher(delivery, trustedPublishers) ? trustedCreatedAt(claimed) : undefined;
  const timestamp = checkedTimestampOf(delivery);
  if (trusted !== undefined) return trusted;
  if (timestamp !== undefined) return new Date(timestamp * 1000).toISOString();
  return receivedAt.toISOString();
}

/** A trusted publisher's `created_at` as `toISOString` writes it; see {@link createdAtOf}. */
function trustedCreatedAt(claimed: string): string {
  if (!isoInstant.safeParse(claimed).success) {
    throw new EnvelopeError('invalid_created_at', 'created_at is not an ISO-8601 date-time with an offset');
  }
  const instant = new Date(claimed);
  const year = instant.getUTCFullYear();
  // Refused here, so what clients see live is never something history cannot keep.
  if (!(year >= limits.timestampYears.min && year <= limits.timestampYears.max)) {
    throw new EnvelopeError(
      'invalid_created_at',
      `created_at is not in the years ${limits.timestampYears.min} to ${limits.timestampYears.max}`,
    );
  }
  return instant.toISOString();
}
