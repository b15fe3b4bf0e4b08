import type { AmqpUser } from '@warren/shared/amqp';
import { testConfig } from '@warren/shared/testing';
import amqp from 'amqplib';
import type { ChatApiService } from '../../src/index.ts';

/**
 * Publishes a JSON body on an exchange as one of the run's AMQP users, with `user_id` set to that
 * user (the broker refuses any other), and resolves once the broker confirmed it.
 */
export async function publishAs(user: AmqpUser, exchange: string, routingKey: string, body: unknown): Promise<void> {
  const { name, url } = testConfig().users[user];
  const connection = await amqp.connect(url);
  try {
    const channel = await connection.createConfirmChannel();
    channel.publish(exchange, routingKey, Buffer.from(JSON.stringify(body)), {
      userId: name,
      contentType: 'application/json',
    });
    await channel.waitForConfirms();
  } finally {
    await connection.close();
  }
}

/** Resolves with why `service` ignored the next event of route `event` (`login.ended`, `presence.*`…). */
export function ignoredBy(service: ChatApiService, event: string): Promise<string> {
  return new Promise((resolve) => {
    const listener = (ignored: string, reason: string) => {
      if (ignored !== event) return;
      service.instanceFeed.off('ignored', listener);
      resolve(reason);
    };
    service.instanceFeed.on('ignored', listener);
  });
}
