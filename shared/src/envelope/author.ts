import { limits } from '../limits.ts';
import type { Author } from './chat-message.ts';
import { type DeliveryLike, publisherOf } from './delivery.ts';
import { EnvelopeError } from './envelope-error.ts';
import { envelopeHeaders } from './headers.ts';
import { isTrustedPublisher, type TrustedPublishers } from './trusted-publishers.ts';
import { canonicalUuid } from './uuid.ts';

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
