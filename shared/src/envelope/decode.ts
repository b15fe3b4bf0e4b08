/**
 * Reading a delivery from a session exchange (AMQP.md): its body, then every rule, into a chat
 * message, a session event or the code of the rule it breaks.
 */
import { z } from 'zod';
import { names, type SessionEventType, sessionEventTypes } from '../amqp/topology.ts';
import { limits } from '../limits.ts';
import { type ChatMessage, NEW_MESSAGE_STATE } from './chat-message.ts';
import {
  type DeliveryLike,
  isJsonContentType,
  isTrustedPublisher,
  MESSAGE_TYPE_PROPERTY,
  stringProperty,
  type TrustedPublishers,
} from './delivery.ts';
import { EnvelopeError, type EnvelopeErrorCode } from './errors.ts';
import { canonicalUuid, contentOf, extraOf, inspectJson, messageTypeOf, replyToOf } from './field-rules.ts';
import { isMessageChangeEvent, type MessageChange, messageChangeOf } from './message-change.ts';
import { authorOf, createdAtOf, messageIdOf } from './provenance.ts';

/** The fields of a message body before the field rules run (see `contentOf`, `messageTypeOf`, `extraOf`). */
interface MessageBody {
  readonly content: string;
  readonly type?: string | undefined;
  readonly extra?: unknown;
  readonly created_at?: string | undefined;
  readonly reply_to?: unknown;
}

/** A JSON message body (AMQP.md, HTTP.md's `reply_to`); other fields are ignored, the session above all. */
export const jsonBody = z.object({
  content: z.string(),
  type: z.string().optional(),
  extra: z.unknown().optional(),
  created_at: z.string().optional(),
  reply_to: z.unknown().optional(),
});

/** The error code of a schema problem, by the field it is in. */
const codeOfField: Readonly<Record<string, EnvelopeErrorCode>> = {
  type: 'invalid_type',
  created_at: 'invalid_created_at',
};

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The body bytes as UTF-8 text (a leading byte-order mark is dropped). */
function bodyText(delivery: DeliveryLike): string {
  try {
    return utf8.decode(delivery.content);
  } catch {
    throw new EnvelopeError('invalid_utf8', 'the body is not valid UTF-8');
  }
}

/** The body as JSON. */
function bodyJson(delivery: DeliveryLike): unknown {
  const text = bodyText(delivery);
  try {
    return JSON.parse(text);
  } catch {
    throw new EnvelopeError('invalid_json', 'the body is not valid JSON');
  }
}

/**
 * The message body of a delivery: with an `application/json` content type, the JSON object
 * `{ content, type?, extra?, created_at? }`; with any other content type or none, the UTF-8 text of
 * the body is the content.
 *
 * @throws EnvelopeError `invalid_utf8`, `invalid_json`, `invalid_body` (not an object, or `content`
 * not a string), `invalid_type` or `invalid_created_at` (not a string).
 */
function messageBodyOf(delivery: DeliveryLike): MessageBody {
  if (!isJsonContentType(delivery.properties.contentType)) return { content: bodyText(delivery) };
  const parsed = jsonBody.safeParse(bodyJson(delivery));
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path[0];
  const code = (typeof field === 'string' ? codeOfField[field] : undefined) ?? 'invalid_body';
  const where = field === undefined ? 'the body' : String(field);
  throw new EnvelopeError(code, `${where}: ${issue?.message ?? 'invalid'}`);
}

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
  /** For an event that changes a stored message (an edit, a delete, a reaction): the change, checked. */
  readonly change: MessageChange | null;
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
    const change = isMessageChangeEvent(event) ? messageChangeOf(event, data, id, sessionId) : null;
    return { ok: true, kind: 'event', sessionId, event, data, change };
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
    reply_to: replyToOf(body.reply_to),
    ...NEW_MESSAGE_STATE,
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
 *   only from a trusted publisher (`untrusted_event` otherwise), so a bot cannot forge `member.joined`
 *   or `message.edited`. Their data is not checked further than its depth (at most 32 levels), but for
 *   the events that change history, checked in full (`messageChangeOf`, `invalid_event`): the
 *   persister applies those, and what it refuses the gateway must not deliver.
 * - a message body's `reply_to`: a UUID or null (`invalid_reply_to`); whether it names a message of
 *   the session only the persister can tell.
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
