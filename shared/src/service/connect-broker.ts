import type { Logger } from 'pino';
import { AmqpClient } from '../amqp/amqp-client.ts';
import type { ResourceStack } from './resource-stack.ts';

/**
 * Connects a service to RabbitMQ under its name (the management UI's `connection_name`); the
 * connection is added to `resources`.
 * @throws Error naming the URL when the broker cannot be reached.
 */
export async function connectBroker(
  name: string,
  url: string,
  logger: Logger,
  resources: ResourceStack,
): Promise<AmqpClient> {
  const amqp = new AmqpClient({ url, connectionName: name, logger });
  resources.add('rabbitmq', () => amqp.close());
  await amqp.start();
  return amqp;
}
