import { names, type PublishOptions } from '@warren/shared/amqp';
import { canonicalUuid, envelopeHeaders, isJsonContentType, messageIdOf } from '@warren/shared/envelope';
import type { Message } from 'amqplib';
import { oneLine } from './format.ts';

/**
 * Headers RabbitMQ itself sets when it dead-letters (a message past the persister queue's delivery
 * limit) or counts deliveries. They describe the letter's past, so a requeue drops them.
 */
const BROKER_DEATH_HEADERS = [
  'x-death',
  'x-first-death-exchange',
  'x-first-death-queue',
  'x-first-death-reason',
  'x-last-death-exchange',
  'x-last-death-queue',
  'x-last-death-reason',
  'x-delivery-count',
];

/** Warren's own dead-letter headers, which a requeued message must not carry back. */
const WARREN_DEATH_HEADERS: readonly string[] = [
  envelopeHeaders.error,
  envelopeHeaders.originalExchange,
  envelopeHeaders.originalUserId,
];

/** A header as text: amqplib hands long strings over as `string` or `Buffer`. */
function headerText(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (Buffer.isBuffer(value)) return headerText(value.toString('utf8'));
  return undefined;
}

/** What a dead letter says about itself, as `warren dead-letters` shows it. */
export interface DeadLetterView {
  /** Its `message_id`, when it has one. */
  readonly messageId: string | null;
  /** Why: `x-warren-error` (`<code>: <detail>`), or RabbitMQ's own reason (`delivery_limit`) when the broker dead-lettered it. */
  readonly error: string;
  /** The exchange it was first published to, or null when the letter does not say. */
  readonly originalExchange: string | null;
  /** The session of that exchange, when it is a session exchange. */
  readonly sessionId: string | null;
  /** The AMQP user that published it (`user_id`), or null for an unattributed message. */
  readonly originalUserId: string | null;
  /** The start of its content, on one line. */
  readonly preview: string;
}

/** The first line of a letter's message: the JSON body's `content`, or the text itself. */
function previewOf(message: Message): string {
  const text = message.content.toString('utf8');
  if (isJsonContentType(message.properties.contentType)) {
    try {
      const body: unknown = JSON.parse(text);
      if (typeof body === 'object' && body !== null && typeof (body as { content?: unknown }).content === 'string') {
        return oneLine((body as { content: string }).content, 80);
      }
    } catch {
      // Unparseable JSON is shown as it is: that is often why it is here.
    }
  }
  return oneLine(text, 80);
}

/**
 * Reads a letter of `warren.dead-letter`: one the persister published (with `x-warren-error`,
 * `x-warren-original-exchange` and `x-warren-original-user-id`), or one RabbitMQ dead-lettered
 * itself after the persister queue's delivery limit (with `x-first-death-*`, its `user_id` kept).
 */
export function describeDeadLetter(message: Message): DeadLetterView {
  const headers = message.properties.headers ?? {};
  const originalExchange =
    headerText(headers[envelopeHeaders.originalExchange]) ?? headerText(headers['x-first-death-exchange']) ?? null;
  const brokerReason = headerText(headers['x-first-death-reason']);
  return {
    messageId: headerText(message.properties.messageId) ?? null,
    error:
      headerText(headers[envelopeHeaders.error]) ??
      (brokerReason ? `${brokerReason} (dead-lettered by RabbitMQ)` : 'unknown (no x-warren-error header)'),
    originalExchange,
    sessionId: canonicalUuid(names.sessionIdOf(originalExchange ?? '')),
    originalUserId:
      headerText(headers[envelopeHeaders.originalUserId]) ?? headerText(message.properties.userId) ?? null,
    preview: previewOf(message),
  };
}

/** The publish that puts a dead letter back where it was published. */
export interface Republish {
  readonly exchange: string;
  readonly content: Buffer;
  readonly options: PublishOptions;
}

/**
 * How to put a dead letter back: to its original session exchange, with its body and properties,
 * its original `user_id` restored (so a requeue never changes who wrote a message; the broker
 * accepts it only from that user or one tagged `impersonator`), and the dead-letter headers
 * removed. Its `message_id` stays, or is the id the envelope derives for the original delivery, so
 * consumers see the same message and storing it stays idempotent.
 *
 * @returns the publish, or a sentence saying why this letter cannot be requeued.
 */
export function republishOf(message: Message): Republish | { readonly problem: string } {
  const view = describeDeadLetter(message);
  if (view.originalExchange === null) return { problem: 'the letter does not say which exchange it came from' };
  // A requeue publishes with an operator's rights: only ever to a session, whatever a header says.
  if (view.sessionId === null) return { problem: `'${view.originalExchange}' is not a session exchange` };
  const exchange = names.sessionExchange(view.sessionId);
  const {
    headers = {},
    userId: _userId,
    messageId,
    expiration: _expiration,
    clusterId: _clusterId,
    deliveryMode: _deliveryMode,
    ...rest
  } = message.properties;
  const kept = Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined && value !== null));
  const restoredHeaders = Object.fromEntries(
    Object.entries(headers as Record<string, unknown>).filter(
      ([name]) => !WARREN_DEATH_HEADERS.includes(name) && !BROKER_DEATH_HEADERS.includes(name),
    ),
  );
  const userId = view.originalUserId ?? undefined;
  const id =
    headerText(messageId) ??
    messageIdOf({ fields: { exchange }, properties: { ...message.properties, userId }, content: message.content });
  return {
    exchange,
    content: message.content,
    options: {
      ...kept,
      messageId: id,
      deliveryMode: 2,
      headers: restoredHeaders,
      ...(userId === undefined ? {} : { userId }),
    },
  };
}
