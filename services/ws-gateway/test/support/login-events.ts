import { randomUUID } from 'node:crypto';
import { type AmqpUser, eventKeys, exchanges } from '@warren/shared/amqp';
import type { LoginEndedEvent } from '@warren/shared/contract';
import { testConfig } from '@warren/shared/testing';
import amqp from 'amqplib';

/**
 * Publishes `login.ended` on `warren.events` as one of the run's AMQP users (auth, as auth does;
 * another to forge it), with its `user_id` property, and waits for the broker's confirm. `body`
 * may be anything, to send what is not an event.
 */
export async function publishLoginEnded(as: AmqpUser, body: LoginEndedEvent | object): Promise<void> {
  const user = testConfig().users[as];
  const connection = await amqp.connect(user.url);
  try {
    const channel = await connection.createConfirmChannel();
    channel.publish(exchanges.events.name, eventKeys.loginEnded, Buffer.from(JSON.stringify(body)), {
      messageId: randomUUID(),
      userId: user.name,
      contentType: 'application/json',
      persistent: true,
    });
    await channel.waitForConfirms();
  } finally {
    await connection.close();
  }
}

/** A `login.ended` of `sid`, ended now. */
export function loginEnded(userId: string, sid: string): LoginEndedEvent {
  return { user_id: userId, sid, ended_at: new Date().toISOString() };
}
