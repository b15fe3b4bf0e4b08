import { randomUUID } from 'node:crypto';
import { encodeChatMessage } from '@warren/shared/envelope';
import type { ConfirmChannel } from 'amqplib';

/** Who publishes a benchmark's messages, and where. */
export interface BenchMessages {
  /** The user_id the broker checks: the benchmark vhost's user. */
  readonly publisher: string;
  readonly sessionId: string;
  /** The user the messages say wrote them. */
  readonly authorId: string;
}

/**
 * Publishes `count` chat messages of a typical length as fast as the channel takes them, then waits
 * for the broker to confirm them all.
 */
export async function publishMessages(
  channel: ConfirmChannel,
  { publisher, sessionId, authorId }: BenchMessages,
  count: number,
): Promise<void> {
  for (let n = 0; n < count; n++) {
    const { exchange, routingKey, content, options } = encodeChatMessage({
      publisher,
      message: {
        id: randomUUID(),
        session_id: sessionId,
        author: { kind: 'user', id: authorId, username: 'alice' },
        type: 'text',
        content: `message ${n}: a line of chat of about the length people write, give or take a few words`,
        extra: null,
        created_at: new Date().toISOString(),
      },
    });
    channel.publish(exchange, routingKey, content, { ...options, headers: { ...options.headers } });
  }
  await channel.waitForConfirms();
}
