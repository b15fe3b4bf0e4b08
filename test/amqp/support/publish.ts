import amqp, { type Options } from 'amqplib';

/** How a raw publish ended: confirmed, or refused with the broker's channel error. */
export interface PublishOutcome {
  readonly confirmed: boolean;
  /** The error that closed the channel (with the broker's reply `code`), when it was refused. */
  readonly refusal?: Error & { code?: number };
}

/**
 * Publishes one message over plain amqplib as the AMQP user of `url`, on a confirm channel with
 * `mandatory`, and resolves with how the broker answered: what any third-party producer sees.
 */
export async function publishRaw(
  url: string,
  exchange: string,
  content: string | Buffer,
  options: Options.Publish = {},
): Promise<PublishOutcome> {
  const connection = await amqp.connect(url);
  try {
    const channel = await connection.createConfirmChannel();
    let refusal: (Error & { code?: number }) | undefined;
    channel.on('error', (error: Error & { code?: number }) => {
      refusal = error;
    });
    const confirmed = await new Promise<boolean>((resolve) => {
      channel.publish(
        exchange,
        '',
        typeof content === 'string' ? Buffer.from(content) : content,
        { mandatory: true, ...options },
        (error) => resolve(error === null || error === undefined),
      );
    });
    return refusal === undefined ? { confirmed } : { confirmed, refusal };
  } finally {
    await connection.close().catch(() => undefined);
  }
}
