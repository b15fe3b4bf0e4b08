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
