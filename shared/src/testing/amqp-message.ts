import type { Message } from 'amqplib';

/**
 * A message as amqplib hands it to a consumer, built without a broker: every property present, the
 * absent ones undefined (as amqplib leaves them), then `properties` over them.
 */
export function amqpMessage(
  content: string,
  properties: Partial<Message['properties']> = {},
  fields: Partial<Message['fields']> = {},
): Message {
  return {
    content: Buffer.from(content),
    fields: { deliveryTag: 1, redelivered: false, exchange: '', routingKey: '', ...fields } as Message['fields'],
    properties: {
      contentType: undefined,
      contentEncoding: undefined,
      headers: {},
      deliveryMode: undefined,
      priority: undefined,
      correlationId: undefined,
      replyTo: undefined,
      expiration: undefined,
      messageId: undefined,
      timestamp: undefined,
      type: undefined,
      userId: undefined,
      appId: undefined,
      clusterId: undefined,
      ...properties,
    },
  };
}
