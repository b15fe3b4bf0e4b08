import { ManagementClient } from '@warren/shared/management';
import { eventually, testConfig } from '@warren/shared/testing';

/** The broker's management API, as the run's operator. */
export const management = (): ManagementClient => new ManagementClient(testConfig().managementUrl);

/** The gateways' broker connections (connection name `ws-gateway`) once the management API lists one (its view lags). */
export function gatewayConnections() {
  return eventually(async () => {
    const connections = await management().connections(testConfig().vhost);
    const mine = connections.filter((c) => c.client_properties?.connection_name === 'ws-gateway');
    return mine.length > 0 && mine;
  });
}

/** Closes every broker connection of the run's gateways, as an operator would. */
export async function closeGatewayConnections(reason: string): Promise<void> {
  for (const connection of await gatewayConnections()) await management().closeConnection(connection.name, reason);
}
