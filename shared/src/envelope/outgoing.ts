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
  /** 2 (persistent) for messages, 1 for events, which are live only. */
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
