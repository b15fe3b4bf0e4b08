import { isDeepStrictEqual } from 'node:util';
import { names } from '../amqp/topology.ts';
import type { ChatMessage, UserAuthor } from './chat-message.ts';
import { JSON_CONTENT_TYPE } from './content-type.ts';
import { decodeDelivery, MESSAGE_TYPE_PROPERTY } from './decode-delivery.ts';
import { EnvelopeError } from './envelope-error.ts';
import { extraOf } from './extra.ts';
import { envelopeHeaders } from './headers.ts';
import type { OutgoingDelivery } from './outgoing.ts';

/** What {@link encodeChatMessage} publishes. */
export interface EncodeChatMessageInput {
  /** The message as chat-api answers it: written by a chat user, fields already valid and canonical. */
  readonly message: ChatMessage & { readonly author: UserAuthor };
  /** The AMQP user chat-api connects as; must be among the consumers' trusted publishers. */
  readonly publisher: string;
}

/**
 * The delivery a trusted publisher (chat-api) sends for a chat user's message: persistent, JSON body
 * `{ content, type, extra?, created_at }`, author headers, `timestamp` the whole seconds of `created_at`.
 *
 * Checks its output with {@link decodeDelivery} (with `publisher` trusted), so what it publishes is
 * exactly what every consumer reads back.
 *
 * @throws EnvelopeError with the decoder's code when a field breaks a rule, or `not_canonical` when
 * the message would decode to something else (untrimmed content, upper-case id, `created_at` not in
 * `toISOString` form…).
 */
export function encodeChatMessage({ message, publisher }: EncodeChatMessageInput): OutgoingDelivery {
  const createdAtMs = Date.parse(message.created_at);
  if (Number.isNaN(createdAtMs)) throw new EnvelopeError('invalid_created_at', 'created_at is not a date');
  // Before anything recursive (serializing, comparing) touches it: `extra_too_deep` and the others.
  extraOf(message.extra);
  const body = {
    content: message.content,
    type: message.type,
    ...(message.extra === null ? {} : { extra: message.extra }),
    created_at: message.created_at,
  };
  const outgoing: OutgoingDelivery = {
    exchange: names.sessionExchange(message.session_id),
    routingKey: '',
    content: Buffer.from(JSON.stringify(body), 'utf8'),
    options: {
      messageId: message.id,
      type: MESSAGE_TYPE_PROPERTY,
      userId: publisher,
      timestamp: Math.floor(createdAtMs / 1000),
      contentType: JSON_CONTENT_TYPE,
      deliveryMode: 2,
      headers: { [envelopeHeaders.authorId]: message.author.id, [envelopeHeaders.authorName]: message.author.username },
    },
  };

  const decoded = decodeDelivery(
    { fields: { exchange: outgoing.exchange }, properties: outgoing.options, content: outgoing.content },
    { trustedPublishers: [publisher], receivedAt: new Date(createdAtMs) },
  );
  if (!decoded.ok) throw new EnvelopeError(decoded.code, decoded.detail);
  if (decoded.kind !== 'message' || !isDeepStrictEqual(decoded.message, message)) {
    throw new EnvelopeError('not_canonical', 'the message would not decode to itself; build it with the field rules');
  }
  return outgoing;
}
