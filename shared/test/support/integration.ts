import { randomBytes } from 'node:crypto';
import { createLogger, type Logger } from '../../src/logging/index.ts';
import { ManagementClient, type ManagementConnection } from '../../src/management/index.ts';
import { eventually, testConfig } from '../../src/testing/index.ts';

/** A name no other test uses: `prefix` and random hex. */
export function unique(prefix: string): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`;
}

/** The logger of integration tests, at the run's test log level. */
export function testLogger(): Logger {
  return createLogger({ service: 'test', level: testConfig().logLevel });
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
