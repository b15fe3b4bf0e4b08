import { once } from 'node:events';
import amqp from 'amqplib';
import { expect } from 'chai';
import { ManagementApiError, ManagementClient } from '../../src/management/index.ts';
import { rejectionOf, testConfig } from '../../src/testing/index.ts';
import { closedPort } from '../support/closed-port.ts';
import { connectionNamed, managementClient, unique } from '../support/integration.ts';

/** What a management call rejected with. */
async function apiErrorOf(call: Promise<unknown>): Promise<ManagementApiError> {
  const error = await rejectionOf(call);
  expect(error).to.be.instanceOf(ManagementApiError);
  return error as ManagementApiError;
}

describe('ManagementClient', () => {
  const management = managementClient();
  const { vhost } = testConfig();

  it('answers parsed JSON', async () => {
    const overview = await management.request<{ rabbitmq_version: string }>('GET', '/overview');
    expect(overview.rabbitmq_version).to.match(/^\d+\.\d+/);
  });

  it('creates a vhost idempotently, sets permissions in it and deletes it', async () => {
    const name = `${vhost}-${unique('management')}`;
    const user = decodeURIComponent(new URL(testConfig().rabbitmqUrl).username);
    try {
      await management.createVhost(name);
      await management.createVhost(name);
      await management.setPermissions(name, user, { configure: '^test\\.', write: '.*', read: '^$' });
      const permissions = await management.request<{ configure: string; write: string; read: string }>(
        'GET',
        `/permissions/${encodeURIComponent(name)}/${encodeURIComponent(user)}`,
      );
      expect(permissions).to.include({ configure: '^test\\.', write: '.*', read: '^$' });
    } finally {
      await management.deleteVhost(name);
    }
    expect((await apiErrorOf(management.request('GET', `/vhosts/${encodeURIComponent(name)}`))).status).to.equal(404);
    await management.deleteVhost(name);
  });

  it('deletes a user, and a missing one is fine', async () => {
    const user = unique('warren-test-user');
    await management.request('PUT', `/users/${encodeURIComponent(user)}`, { password: unique('pw'), tags: '' });
    await management.deleteUser(user);
    expect((await apiErrorOf(management.request('GET', `/users/${encodeURIComponent(user)}`))).status).to.equal(404);
    await management.deleteUser(user);
  });

  it('lists connections with their connection_name and closes one as an operator does', async () => {
    const connectionName = unique('test-management');
    const connection = await amqp.connect(testConfig().rabbitmqUrl, {
      clientProperties: { connection_name: connectionName },
    });
    try {
      const listed = await connectionNamed(management, connectionName);
      expect(listed.vhost).to.equal(vhost);
      expect((await management.connections()).map((c) => c.name)).to.include(listed.name);

      connection.on('error', () => undefined);
      const closed = once(connection, 'close');
      await management.closeConnection(listed.name, 'maintenance window');
      const [error] = (await closed) as [Error];
      expect(error.message).to.contain('CONNECTION_FORCED').and.contain('maintenance window');
    } finally {
      await connection.close().catch(() => undefined);
    }
  });

  it('closing a connection that does not exist is fine', async () => {
    await management.closeConnection('127.0.0.1:1 -> 127.0.0.1:5672');
  });

  it('rejects with the status and the answer of a failed call', async () => {
    const error = await apiErrorOf(management.request('GET', `/queues/${encodeURIComponent(vhost)}/no-such-queue`));
    expect(error.name).to.equal('ManagementApiError');
    expect(error.status).to.equal(404);
    expect(error.message).to.contain('GET /queues/').and.contain('404');
  });

  it('rejects with 401 for wrong credentials, without showing them', async () => {
    const url = new URL(testConfig().managementUrl);
    url.username = 'nobody';
    url.password = 'wrong-secret';
    const error = await apiErrorOf(new ManagementClient(url.toString()).request('GET', '/overview'));
    expect(error.status).to.equal(401);
    expect(error.message).to.not.contain('wrong-secret');
  });

  it('rejects with status 0, naming the URL without its password, when the API cannot be reached', async () => {
    const port = await closedPort();
    const error = await apiErrorOf(new ManagementClient(`http://admin:s3cret@127.0.0.1:${port}/`).connections());
    expect(error.status).to.equal(0);
    expect(error.message).to.contain(`http://admin:***@127.0.0.1:${port}/`).and.contain('RABBITMQ_MANAGEMENT_URL');
    expect(error.message).to.not.contain('s3cret');
    expect(error.cause).to.be.instanceOf(Error);
  });
});
