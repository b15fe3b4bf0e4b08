import { randomBytes } from 'node:crypto';
import { AmqpClient, type AmqpClientOptions, type Delivery } from '../../src/amqp/index.ts';
import { createLogger, type Logger } from '../../src/logging/index.ts';
import { ManagementClient, type ManagementConnection } from '../../src/management/index.ts';
import { eventually, type Recorder, testConfig } from '../../src/testing/index.ts';

/** A name no other test uses: `prefix` and random hex. */
export function unique(prefix: string): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`;
}

/** The logger of integration tests, at the run's test log level. */
export function testLogger(): Logger {
  return createLogger({ service: 'test', level: testConfig().logLevel });
}

/** A client of the run's vhost (not started), its connection named `prefix` and random hex. */
export function testClient(prefix: string, options: Partial<AmqpClientOptions> = {}): AmqpClient {
  return new AmqpClient({
    url: testConfig().rabbitmqUrl,
    connectionName: unique(prefix),
    logger: testLogger(),
    ...options,
  });
}

/** A consumer's handler that records each delivery in `inbox`, then acknowledges it. */
export function recordAndAck(inbox: Recorder<Delivery>): (delivery: Delivery) => void {
  return (delivery) => {
    inbox.push(delivery);
    delivery.ack();
  };
}

/** A management API client for the run's broker. */
export function managementClient(): ManagementClient {
  return new ManagementClient(testConfig().managementUrl);
}

/**
 * Waits until the management API lists a connection of the run's vhost whose `connection_name` is
 * `connectionName` (other than the one named `except`, when given).
 */
export function connectionNamed(
  management: ManagementClient,
  connectionName: string,
  except?: string,
): Promise<ManagementConnection> {
  return eventually(async () =>
    (await management.connections(testConfig().vhost)).find(
      (connection) => connection.client_properties?.connection_name === connectionName && connection.name !== except,
    ),
  );
}
