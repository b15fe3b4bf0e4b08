/**
 * Writing deliveries to a session exchange (AMQP.md): the chat messages and session events a
 * trusted publisher (chat-api) sends, in the form every consumer's `decodeDelivery` reads back.
 */
import { names, type SessionEventType } from '../amqp/topology.ts';
import { limits } from '../limits.ts';
import type { ChatMessage, UserAuthor } from './chat-message.ts';
import {
  boundedRequestId,
  envelopeHeaders,
  JSON_CONTENT_TYPE,
  MESSAGE_TYPE_PROPERTY,
  type OutgoingDelivery,
} from './delivery.ts';
import { EnvelopeError } from './errors.ts';
import { canonicalUuid, inspectJson } from './field-rules.ts';
import { isMessageChangeEvent } from './message-change.ts';

/** What {@link encodeChatMessage} publishes. */
export interface EncodeChatMessageInput {
  /**
   * The message as chat-api answers it: written by a chat user, every field already valid and
   * canonical by the field rules (`contentOf`, `messageTypeOf`, `extraOf`, a lower-case UUID id and
   * session, `created_at` as `toISOString` writes it in the years 2000 to 9999).
   */
  readonly message: ChatMessage & { readonly author: UserAuthor };
  /** The AMQP user chat-api connects as; must be among the consumers' trusted publishers. */
  readonly publisher: string;
  /** The HTTP request it is published for, carried as `x-warren-request-id` (cut to its bound) for logs. */
  readonly requestId?: string | undefined;
}

/** The `x-warren-request-id` header of a request id, or no header. */
function requestIdHeader(requestId: string | undefined): Readonly<Record<string, string>> | undefined {
  const bounded = boundedRequestId(requestId);
  return bounded === undefined ? undefined : { [envelopeHeaders.requestId]: bounded };
}

/**
 * The delivery a trusted publisher (chat-api) sends for a chat user's message: persistent, JSON body
 * `{ content, type, extra?, created_at, reply_to? }`, author headers (and the request id, when
 * given), `timestamp` the whole seconds of `created_at`.
 *
 * The fields are not validated again: the caller built them with the field rules, and for every such
 * message every consumer decodes exactly the message (a property test holds that). Two cheap guards
 * remain against a caller's bug: `created_at` must be a date, since the `timestamp` is computed from
 * it, and `extra` must be shallow before `JSON.stringify` recurses into it.
 *
 * @throws EnvelopeError `invalid_created_at` when `created_at` is not a date; `extra_too_deep` when
 * `extra` nests more than `limits.extraDepth` levels.
 */
export function encodeChatMessage({ message, publisher, requestId }: EncodeChatMessageInput): OutgoingDelivery {
  const createdAtMs = Date.parse(message.created_at);
  if (Number.isNaN(createdAtMs)) throw new EnvelopeError('invalid_created_at', 'created_at is not a date');
  if (message.extra !== null && inspectJson(message.extra, limits.extraDepth).tooDeep) {
    throw new EnvelopeError('extra_too_deep', `extra nests more than ${limits.extraDepth} levels deep`);
  }
  const body = {
    content: message.content,
    type: message.type,
    ...(message.extra === null ? {} : { extra: message.extra }),
    created_at: message.created_at,
    ...(message.reply_to === null ? {} : { reply_to: message.reply_to }),
  };
  return {
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
      headers: {
        [envelopeHeaders.authorId]: message.author.id,
        [envelopeHeaders.authorName]: message.author.username,
        ...requestIdHeader(requestId),
      },
    },
  };
}

/** What {@link encodeSessionEvent} publishes. */
export interface EncodeSessionEventInput {
  readonly sessionId: string;
  readonly event: SessionEventType;
  /** The event's body (AMQP.md "Events on a session exchange"); must be JSON-serializable. */
  readonly data: unknown;
  /** The AMQP user chat-api connects as; consumers believe events only from trusted publishers. */
  readonly publisher: string;
  readonly messageId: string;
  /** Milliseconds after which the broker drops the event undelivered; `typing` uses a short one. */
  readonly expirationMs?: number;
  /** The HTTP request it is published for, carried as `x-warren-request-id` (cut to its bound) for logs. */
  readonly requestId?: string | undefined;
}

/** The JSON bytes of event data. */
function serialize(data: unknown): Buffer {
  let json: string | undefined;
  try {
    json = JSON.stringify(data);
  } catch {
    // A cycle or a BigInt: reported like undefined or a function, which stringify silently drops.
  }
  if (json === undefined) throw new EnvelopeError('invalid_body', 'event data is not JSON-serializable');
  return Buffer.from(json, 'utf8');
}

/**
 * The delivery a trusted publisher (chat-api) sends for a session event: `type` the event name, JSON
 * body, transient (delivery mode 1: events are live only, their state lives in PostgreSQL), except
 * the events that change a stored message, which are persistent: history is made from them. No
 * headers but the request id, when given.
 *
 * @throws EnvelopeError `not_a_session` (sessionId not a UUID), `invalid_message_id`, `invalid_body` (data not JSON-serializable) or
 * `body_too_large`; RangeError when `expirationMs` is not a non-negative integer.
 */
export function encodeSessionEvent(input: EncodeSessionEventInput): OutgoingDelivery {
  const sessionId = canonicalUuid(input.sessionId);
  if (sessionId === null) throw new EnvelopeError('not_a_session', 'sessionId is not a UUID');
  const messageId = canonicalUuid(input.messageId);
  if (messageId === null) throw new EnvelopeError('invalid_message_id', 'messageId is not a UUID');
  const { expirationMs } = input;
  if (expirationMs !== undefined && !(Number.isSafeInteger(expirationMs) && expirationMs >= 0)) {
    throw new RangeError('expirationMs must be a non-negative integer');
  }
  const content = serialize(input.data);
  if (content.length > limits.amqpBodyBytes) {
    throw new EnvelopeError('body_too_large', `the body is ${content.length} bytes, more than ${limits.amqpBodyBytes}`);
  }
  const headers = requestIdHeader(input.requestId);
  return {
    exchange: names.sessionExchange(sessionId),
    routingKey: '',
    content,
    options: {
      messageId,
      type: input.event,
      userId: input.publisher,
      contentType: JSON_CONTENT_TYPE,
      deliveryMode: isMessageChangeEvent(input.event) ? 2 : 1,
      ...(expirationMs === undefined ? {} : { expiration: String(expirationMs) }),
      ...(headers === undefined ? {} : { headers }),
    },
  };
}
