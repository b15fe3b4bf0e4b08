import { names, type SessionEventType, sessionEventTypes } from '../amqp/topology.ts';
import { limits } from '../limits.ts';
import { authorOf } from './author.ts';
import type { ChatMessage } from './chat-message.ts';
import { contentOf } from './content.ts';
import { createdAtOf } from './created-at.ts';
import { type DeliveryLike, stringProperty } from './delivery.ts';
import { EnvelopeError, type EnvelopeErrorCode } from './envelope-error.ts';
import { extraOf } from './extra.ts';
import { inspectJson } from './json-limits.ts';
import { bodyJson, messageBodyOf } from './message-body.ts';
import { messageIdOf } from './message-id.ts';
import { messageTypeOf } from './message-type.ts';
import { isTrustedPublisher, type TrustedPublishers } from './trusted-publishers.ts';
import { canonicalUuid } from './uuid.ts';

/** The `type` property of a chat message; absent means the same. */
export const MESSAGE_TYPE_PROPERTY = 'message';

/** What {@link decodeDelivery} needs besides the delivery. */
export interface DecodeOptions {
  /** AMQP users whose author headers, `created_at` and events are believed (chat-api). */
  readonly trustedPublishers: TrustedPublishers;
  /** When the consumer received the delivery: the last resort for `created_at`. */
  readonly receivedAt: Date;
}

/** A delivery holding a valid chat message. */
export interface DecodedMessage {
  readonly ok: true;
  readonly kind: 'message';
  readonly sessionId: string;
  readonly message: ChatMessage;
}

/** A delivery holding a session event from a trusted publisher. */
export interface DecodedEvent {
  readonly ok: true;
  readonly kind: 'event';
  readonly sessionId: string;
  readonly event: SessionEventType;
  /** The parsed JSON body, as the publisher wrote it (AMQP.md "Events on a session exchange"). */
  readonly data: unknown;
}

/** A delivery that breaks the envelope rules: dead-letter it, never deliver it. */
export interface DecodeFailure {
  readonly ok: false;
  readonly code: EnvelopeErrorCode;
  readonly detail: string;
}

/** The outcome of {@link decodeDelivery}. */
export type DecodeResult = DecodedMessage | DecodedEvent | DecodeFailure;

/**
 * How deep event data may nest. Events come only from trusted publishers and nest two or three
 * levels; the bound keeps whatever serializes them (a gateway's frames) from overflowing the stack.
 */
const EVENT_DATA_DEPTH = 32;

const isSessionEventType = (type: string): type is SessionEventType =>
  (sessionEventTypes as readonly string[]).includes(type);

function decodeOrThrow(delivery: DeliveryLike, options: DecodeOptions): DecodedMessage | DecodedEvent {
  const { exchange } = delivery.fields;
  const sessionId = canonicalUuid(names.sessionIdOf(exchange));
  if (sessionId === null) throw new EnvelopeError('not_a_session', `${exchange} is not a session exchange`);
  const size = delivery.content.length;
  if (size > limits.amqpBodyBytes) {
    throw new EnvelopeError('body_too_large', `the body is ${size} bytes, more than ${limits.amqpBodyBytes}`);
  }
  const id = messageIdOf(delivery);

  const type = delivery.properties.type;
  if (type !== undefined && type !== null && type !== '' && type !== MESSAGE_TYPE_PROPERTY) {
    const event = stringProperty(type);
    if (event === undefined || !isSessionEventType(event)) {
      throw new EnvelopeError('unknown_message_type', 'the type property is neither message nor a session event');
    }
    if (!isTrustedPublisher(delivery, options.trustedPublishers)) {
      throw new EnvelopeError('untrusted_event', `${event} events are believed only from a trusted publisher`);
    }
    const data = bodyJson(delivery);
    if (inspectJson(data, EVENT_DATA_DEPTH).tooDeep) {
      throw new EnvelopeError('invalid_body', `event data nests more than ${EVENT_DATA_DEPTH} levels deep`);
    }
    return { ok: true, kind: 'event', sessionId, event, data };
  }

  const body = messageBodyOf(delivery);
  const message: ChatMessage = {
    id,
    session_id: sessionId,
    author: authorOf(delivery, options.trustedPublishers),
    type: messageTypeOf(body.type),
    content: contentOf(body.content),
    extra: extraOf(body.extra),
    created_at: createdAtOf(delivery, body, options.trustedPublishers, options.receivedAt),
  };
  return { ok: true, kind: 'message', sessionId, message };
}

/**
 * Decodes a delivery from a session exchange by the rules of AMQP.md, the same in every consumer.
 *
 * - The session is the exchange's name, never a body field; an exchange that is not
 *   `warren.session.<uuid>` is `not_a_session`.
 * - A body over 64 KiB is `body_too_large`; a `message_id` that is not a UUID `invalid_message_id`.
 * - `type` property absent, empty or `message`: a chat message (see `messageBodyOf`, `contentOf`,
 *   `messageTypeOf`, `extraOf`, `authorOf`, `createdAtOf`, `messageIdOf`).
 * - `type` a session event: its body is parsed as JSON whatever the content type. Events are believed
 *   only from a trusted publisher (`untrusted_event` otherwise), so a bot cannot forge `member.joined`.
 *   Their data is not checked further than its depth (at most 32 levels): only chat-api may publish them.
 * - any other `type`: `unknown_message_type`.
 *
 * Never throws, whatever the delivery: every broken rule is a `{ ok: false }` result with its code.
 * Nothing recursive runs on unbounded input (JSON nesting is measured by `inspectJson` first); should
 * anything else still throw, the delivery is `undecodable`, so one message can harm no consumer's
 * channel, only its own delivery.
 */
export function decodeDelivery(delivery: DeliveryLike, options: DecodeOptions): DecodeResult {
  try {
    return decodeOrThrow(delivery, options);
  } catch (error) {
    if (error instanceof EnvelopeError) return { ok: false, code: error.code, detail: error.detail };
    // Only the class: a message text could repeat what the delivery holds, in every log.
    const what = error instanceof Error ? error.constructor.name : typeof error;
    return { ok: false, code: 'undecodable', detail: `decoding failed unexpectedly (${what})` };
  }
}
