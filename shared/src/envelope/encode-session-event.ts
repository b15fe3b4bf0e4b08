import { names, type SessionEventType } from '../amqp/topology.ts';
import { limits } from '../limits.ts';
import { JSON_CONTENT_TYPE } from './content-type.ts';
import { EnvelopeError } from './envelope-error.ts';
import type { OutgoingDelivery } from './outgoing.ts';
import { canonicalUuid } from './uuid.ts';

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
 * body, transient (delivery mode 1: events are live only, their state lives in PostgreSQL).
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
  return {
    exchange: names.sessionExchange(sessionId),
    routingKey: '',
    content,
    options: {
      messageId,
      type: input.event,
      userId: input.publisher,
      contentType: JSON_CONTENT_TYPE,
      deliveryMode: 1,
      ...(expirationMs === undefined ? {} : { expiration: String(expirationMs) }),
    },
  };
}
