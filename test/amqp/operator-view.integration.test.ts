import {
  type AmqpUser,
  amqpUsers,
  declareDeploymentTopology,
  exchanges,
  names,
  permissions,
  queues,
} from '@warren/shared/amqp';
import { ManagementClient } from '@warren/shared/management';
import { eventually, testConfig } from '@warren/shared/testing';
import amqp from 'amqplib';
import { expect } from 'chai';
import { RunningCli } from '../../cli/test/support/cli.ts';
import { SocketClient } from '../support/socket-client.ts';
import { inVhost, TestWarren, WARREN_START_TIMEOUT_MS } from '../support/warren.ts';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/** Every exchange name AMQP.md allows (RabbitMQ's own, `amq.*` and the default, come with every vhost). */
const ALLOWED_EXCHANGES = [
  /^$/,
  /^amq\./,
  ...Object.values(exchanges).map((exchange) => new RegExp(`^${exchange.name.replaceAll('.', '\\.')}$`)),
  new RegExp(`^warren\\.session\\.${UUID}$`),
  new RegExp(`^warren\\.user\\.${UUID}$`),
];

/** Every queue name AMQP.md allows. */
const ALLOWED_QUEUES = [
  ...Object.values(queues).map((queue) => new RegExp(`^${queue.name.replaceAll('.', '\\.')}$`)),
  new RegExp(`^warren\\.ws\\.${UUID}\\.[^.]+$`),
  new RegExp(`^warren\\.chat-api\\.instance\\.${UUID}$`),
  new RegExp(`^warren\\.ws-gateway\\.instance\\.${UUID}$`),
];

/** The connection name each service's AMQP user connects with. */
const SERVICE_OF: Readonly<Record<Exclude<AmqpUser, 'bot'>, string>> = {
  auth: 'auth',
  'chat-api': 'chat-api',
  persister: 'persister',
  'ws-gateway': 'ws-gateway',
};

describe("what operators see in the management UI, in a vhost of Warren's own", () => {
  const management = () => new ManagementClient(testConfig().managementUrl);
  const vhost = `${testConfig().vhost}-ops`;
  const admin = decodeURIComponent(new URL(testConfig().rabbitmqUrl).username) || 'guest';
  let warren: TestWarren;
  let socket: SocketClient | undefined;
  let sessionId: string;

  before(async function () {
    this.timeout(WARREN_START_TIMEOUT_MS);
    // A deployment from scratch: the vhost, each user's permissions, the fixed topology.
    await management().createVhost(vhost);
    await management().setPermissions(vhost, admin, { configure: '.*', write: '.*', read: '.*' });
    for (const user of amqpUsers)
      await management().setPermissions(vhost, testConfig().users[user].name, permissions[user]);
    const connection = await amqp.connect(inVhost(testConfig().rabbitmqUrl, vhost));
    try {
      await declareDeploymentTopology(await connection.createChannel());
    } finally {
      await connection.close();
    }
    warren = await TestWarren.start({ vhost });

    // The whole message path once: a session with two members, a post, a WebSocket, the UI's publish.
    const alice = await warren.register('alice');
    const bob = await warren.register('bob');
    sessionId = await warren.createSession(alice, [bob]);
    socket = await SocketClient.ready(warren.gatewayUrl, bob.token);
    const posted = await warren.api(alice, 'POST', `/api/sessions/${sessionId}/messages`, { content: 'hi bob' });
    await warren.stored({ id: posted.body.message.id });
    await management().request(
      'POST',
      `/exchanges/${encodeURIComponent(vhost)}/${encodeURIComponent(names.sessionExchange(sessionId))}/publish`,
      { properties: {}, routing_key: '', payload: 'Maintenance at 18:00', payload_encoding: 'string' },
    );
    await socket.waitFor((frame) => frame.type === 'message' && frame.message.content === 'Maintenance at 18:00');
  });
  after(async () => {
    await socket?.close();
    await warren?.stop();
    await management().deleteVhost(vhost);
  });

  it('names every connection after its service', async () => {
    const expected = Object.entries(SERVICE_OF)
      .map(([user, name]) => `${testConfig().users[user as AmqpUser].name} ${name}`)
      .sort();
    // The management API's connection list lags by design: a few seconds.
    const seen = await eventually(async () => {
      const listed = (await management().connections(vhost))
        .map((connection) => `${connection.user} ${connection.client_properties?.connection_name ?? '(unnamed)'}`)
        .sort();
      return JSON.stringify(listed) === JSON.stringify(expected) ? listed : undefined;
    });
    expect(seen).to.deep.equal(expected);
  });

  it('holds only the exchanges and queues of AMQP.md', async () => {
    const listedExchanges = await management().request<{ name: string }[]>(
      'GET',
      `/exchanges/${encodeURIComponent(vhost)}`,
    );
    for (const { name } of listedExchanges) {
      expect(
        ALLOWED_EXCHANGES.some((pattern) => pattern.test(name)),
        `exchange '${name}'`,
      ).to.equal(true);
    }
    const listedQueues = await management().request<{ name: string }[]>('GET', `/queues/${encodeURIComponent(vhost)}`);
    for (const { name } of listedQueues) {
      expect(
        ALLOWED_QUEUES.some((pattern) => pattern.test(name)),
        `queue '${name}'`,
      ).to.equal(true);
    }
    // The gateway's connection queue and both instance queues are there too, so the check saw the
    // live part of the topology.
    expect(listedQueues.some(({ name }) => name.startsWith('warren.ws.'))).to.equal(true);
    expect(listedQueues.some(({ name }) => name.startsWith('warren.chat-api.instance.'))).to.equal(true);
    expect(listedQueues.some(({ name }) => name.startsWith('warren.ws-gateway.instance.'))).to.equal(true);
  });

  it('names the CLI connection after its command', async () => {
    const tail = RunningCli.start(['tail', '--session', sessionId], {
      RABBITMQ_URL: inVhost(testConfig().rabbitmqUrl, vhost),
    });
    try {
      await tail.line('stderr', /^tailing /);
      await eventually(async () =>
        (await management().connections(vhost)).some(
          (connection) =>
            connection.user === admin && connection.client_properties?.connection_name === 'warren-cli tail',
        ),
      );
    } finally {
      await tail.stop();
    }
  });
});
