import { testConfig } from '@warren/shared/testing';
import amqp, { type Channel, type Options } from 'amqplib';

/**
 * Runs `work` on a channel of the run's vhost as its administrator (what an operator, or a broker
 * losing its definitions, does behind chat-api's back).
 */
export async function asAdmin<T>(work: (channel: Channel) => Promise<T>): Promise<T> {
  const connection = await amqp.connect(testConfig().rabbitmqUrl);
  try {
    const channel = await connection.createChannel();
    return await work(channel);
  } finally {
    await connection.close();
  }
}

/** Whether an exchange exists now (a passive declare, which the broker answers at once). */
export async function exchangeExists(name: string): Promise<boolean> {
  const connection = await amqp.connect(testConfig().rabbitmqUrl);
  try {
    const channel = await connection.createChannel();
    channel.on('error', () => undefined);
    try {
      await channel.checkExchange(name);
      return true;
    } catch (error) {
      if ((error as { code?: unknown }).code === 404) return false;
      throw error;
    }
  } finally {
    await connection.close();
  }
}

/** Publishes as the run's administrator and resolves once the broker confirmed it. */
export async function publishAsAdmin(
  exchange: string,
  routingKey: string,
  content: Buffer,
  options: Options.Publish = {},
): Promise<void> {
  const connection = await amqp.connect(testConfig().rabbitmqUrl);
  try {
    const channel = await connection.createConfirmChannel();
    channel.publish(exchange, routingKey, content, options);
    await channel.waitForConfirms();
  } finally {
    await connection.close();
  }
}
