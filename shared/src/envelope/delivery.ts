/**
 * A delivery as the envelope sees it, in and out: the properties it reads, who published it and
 * whether that publisher is trusted, the content type, the header names, and what the encoders hand
 * to `channel.publish`.
 */

/**
 * The properties of a delivery the envelope reads. Typed `unknown` because they come off the wire:
 * every rule checks what it gets, and amqplib's `MessageProperties` (all `any`) fits.
 */
export interface DeliveryProperties {
  readonly messageId?: unknown;
  readonly type?: unknown;
  readonly userId?: unknown;
  readonly timestamp?: unknown;
  readonly contentType?: unknown;
  readonly headers?: Readonly<Record<string, unknown>> | undefined;
}

/** What the envelope needs of a delivery; amqplib's `ConsumeMessage` is one. */
export interface DeliveryLike {
  readonly fields: { readonly exchange: string };
  readonly properties: DeliveryProperties;
  readonly content: Buffer;
}

/**
 * A string property, or undefined when absent. An empty string counts as absent, so a tool that
 * sends blank fields behaves like one that omits them.
 */
export function stringProperty(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The AMQP user that published the delivery (`user_id`, which RabbitMQ verifies), if any. */
export function publisherOf(delivery: DeliveryLike): string | undefined {
  return stringProperty(delivery.properties.userId);
}

/**
 * The `timestamp` property in seconds since 1970, or undefined when absent. AMQP carries an
 * unsigned 64-bit integer; a value JavaScript cannot hold exactly (above 2^53 − 1) or anything that
 * is not such an integer (only possible in a hand-made delivery) counts as absent.
 */
export function timestampOf(delivery: DeliveryLike): number | undefined {
  const value = delivery.properties.timestamp;
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

/** The AMQP users whose author headers and `created_at` are believed (chat-api in a deployment). */
export type TrustedPublishers = ReadonlySet<string> | readonly string[];

/** Whether the delivery was published (as RabbitMQ vouches through `user_id`) by a trusted service. */
export function isTrustedPublisher(delivery: DeliveryLike, trusted: TrustedPublishers): boolean {
  const publisher = publisherOf(delivery);
  if (publisher === undefined) return false;
  return 'has' in trusted ? trusted.has(publisher) : trusted.includes(publisher);
}

/** The content type of a JSON body, as the encoders set it. */
export const JSON_CONTENT_TYPE = 'application/json';

/**
 * Whether a `content_type` property announces a JSON body: `application/json`, in any case, with
 * or without parameters such as `; charset=utf-8`.
 */
export function isJsonContentType(contentType: unknown): boolean {
  const value = stringProperty(contentType);
  return value?.split(';', 1)[0]?.trim().toLowerCase() === JSON_CONTENT_TYPE;
}

/** Header names of the envelope (AMQP.md), spelled out only here. */
export const envelopeHeaders = {
  /** The chat user who wrote a message; believed only from a trusted publisher. */
  authorId: 'x-warren-author-id',
  /** That user's username; believed only from a trusted publisher. */
  authorName: 'x-warren-author-name',
  /** Why a message was dead-lettered: the text of `deadLetterReason`. */
  error: 'x-warren-error',
  /** On a dead letter: the exchange the message was published to (its session exchange), so a tool can requeue it. */
  originalExchange: 'x-warren-original-exchange',
  /**
   * On a dead letter: the `user_id` the message was published with. It cannot stay a property:
   * RabbitMQ refuses a publish whose `user_id` is not the publishing connection's user.
   */
  originalUserId: 'x-warren-original-user-id',
  /**
   * The id of the HTTP request a delivery was published for (chat-api's `x-request-id`), so one grep
   * follows a message through every service's log. For logging only, never believed for anything
   * else: from another publisher it is an opaque string, read up to {@link MAX_REQUEST_ID_LENGTH}.
   */
  requestId: 'x-warren-request-id',
} as const;

/**
 * The longest request id the encoders write and {@link requestIdOf} reads, in UTF-16 code units;
 * longer ones are cut. chat-api's HTTP edge accepts `x-request-id` up to the same length.
 */
export const MAX_REQUEST_ID_LENGTH = 128;

/** A request id as carried: a non-empty string cut to {@link MAX_REQUEST_ID_LENGTH}, or undefined. */
export function boundedRequestId(value: unknown): string | undefined {
  return stringProperty(value)?.slice(0, MAX_REQUEST_ID_LENGTH);
}

/**
 * The request id a delivery carries (`x-warren-request-id`), for log lines only: whoever published
 * it, a string header cut to {@link MAX_REQUEST_ID_LENGTH}; anything else (absent, empty, bytes) is undefined.
 */
export function requestIdOf(delivery: DeliveryLike): string | undefined {
  return boundedRequestId(delivery.properties.headers?.[envelopeHeaders.requestId]);
}

/** The `type` property of a chat message; absent or empty means the same. */
export const MESSAGE_TYPE_PROPERTY = 'message';

/** amqplib publish options the encoders set; assignable to amqplib's `Options.Publish`. */
export interface EnvelopePublishOptions {
  readonly messageId: string;
  /** `message`, or the event name. */
  readonly type: string;
  /** The publishing AMQP user: RabbitMQ refuses the publish unless it is the connection's user. */
  readonly userId: string;
  /** Seconds since 1970. */
  readonly timestamp?: number;
  readonly contentType: string;
  /** 2 (persistent) for messages and the events that change them, 1 for other events, which are live only. */
  readonly deliveryMode: 1 | 2;
  /** Milliseconds, as a decimal string, after which the broker drops the event. */
  readonly expiration?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Everything `channel.publish(exchange, routingKey, content, options)` takes. */
export interface OutgoingDelivery {
  readonly exchange: string;
  /** Always empty: session exchanges are fanouts. */
  readonly routingKey: '';
  readonly content: Buffer;
  readonly options: EnvelopePublishOptions;
}
