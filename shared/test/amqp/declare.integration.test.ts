import amqp, { type ChannelModel } from 'amqplib';
import { expect } from 'chai';
import { declareDeploymentTopology, declareExchange, declareQueue, exchanges, queues } from '../../src/amqp/index.ts';
import { testConfig } from '../../src/testing/index.ts';
import { managementClient, unique } from '../support/integration.ts';

interface ManagedExchange {
  name: string;
  type: string;
  durable: boolean;
  internal: boolean;
  auto_delete: boolean;
}
interface ManagedQueue {
  name: string;
  durable: boolean;
  exclusive: boolean;
  auto_delete: boolean;
  arguments: Record<string, unknown>;
}
interface ManagedBinding {
  source: string;
  destination: string;
  destination_type: string;
  routing_key: string;
}

describe('declareDeploymentTopology', () => {
  const management = managementClient();
  // A vhost of its own, derived from the run's, so the test sees only what it declared.
  const vhost = `${testConfig().vhost}-topology`;
  const path = (kind: string) => `/${kind}/${encodeURIComponent(vhost)}`;
  let connection: ChannelModel;

  before(async () => {
    const url = new URL(testConfig().rabbitmqUrl);
    await management.createVhost(vhost);
    await management.setPermissions(vhost, decodeURIComponent(url.username), {
      configure: '.*',
      write: '.*',
      read: '.*',
    });
    url.pathname = `/${encodeURIComponent(vhost)}`;
    connection = await amqp.connect(url.toString());
  });
  after(async () => {
    await connection?.close();
    await management.deleteVhost(vhost);
  });

  /** Warren's own exchanges, queues and bindings in the vhost, as the management API shows them. */
  async function warrenTopology() {
    const warren = ({ name }: { name: string }) => name.startsWith('warren.');
    return {
      exchanges: (await management.request<ManagedExchange[]>('GET', path('exchanges')))
        .filter(warren)
        .map(({ name, type, durable, internal, auto_delete }) => ({ name, type, durable, internal, auto_delete }))
        .sort((a, b) => a.name.localeCompare(b.name)),
      queues: (await management.request<ManagedQueue[]>('GET', path('queues')))
        .filter(warren)
        .map(({ name, durable, exclusive, auto_delete, arguments: args }) => ({
          name,
          durable,
          exclusive,
          auto_delete,
          arguments: args,
        }))
        .sort((a, b) => a.name.localeCompare(b.name)),
      bindings: (await management.request<ManagedBinding[]>('GET', path('bindings')))
        .filter((binding) => binding.source !== '')
        .map(({ source, destination, destination_type, routing_key }) => ({
          source,
          destination,
          destination_type,
          routing_key,
        }))
        .sort((a, b) => a.destination.localeCompare(b.destination)),
    };
  }

  it('creates the exchanges, queues and bindings topology.ts describes', async () => {
    expect((await warrenTopology()).exchanges).to.deep.equal([]);
    const channel = await connection.createChannel();
    await declareDeploymentTopology(channel);
    await channel.close();

    const topology = await warrenTopology();
    expect(topology.exchanges).to.deep.equal(
      Object.values(exchanges)
        .map(({ name, type, options }) => ({
          name,
          type,
          durable: options.durable,
          internal: 'internal' in options ? options.internal : false,
          auto_delete: false,
        }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    );
    expect(topology.queues).to.deep.equal(
      Object.values(queues)
        .map(({ name, options }) => ({
          name,
          durable: options.durable,
          exclusive: false,
          auto_delete: false,
          arguments: options.arguments,
        }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    );
    expect(topology.bindings).to.deep.equal(
      Object.values(queues)
        .flatMap(({ name, bindings }) =>
          bindings.map(({ source, routingKey }) => ({
            source,
            destination: name,
            destination_type: 'queue',
            routing_key: routingKey,
          })),
        )
        .sort((a, b) => a.destination.localeCompare(b.destination)),
    );
  });

  it('is idempotent: declaring again changes nothing and fails nothing', async () => {
    const channel = await connection.createChannel();
    await declareDeploymentTopology(channel);
    const before = await warrenTopology();
    await declareDeploymentTopology(channel);
    await declareDeploymentTopology(channel);
    await channel.close();
    expect(await warrenTopology()).to.deep.equal(before);
    expect(before.queues).to.have.length(Object.keys(queues).length);
  });

  it('declares a single exchange or queue with its bindings', async () => {
    const source = unique('test.source');
    const sink = unique('test.sink');
    const channel = await connection.createChannel();
    await declareExchange(channel, {
      name: source,
      type: 'topic',
      options: { durable: false, autoDelete: true },
    });
    await declareQueue(channel, {
      name: sink,
      options: { durable: false, exclusive: true, arguments: { 'x-max-length': 5 } },
      bindings: [
        { source, routingKey: 'a.*' },
        { source, routingKey: 'b.#' },
      ],
    });
    const bindings = await management.request<ManagedBinding[]>('GET', `${path('bindings')}/e/${source}/q/${sink}`);
    expect(bindings.map((binding) => binding.routing_key).sort()).to.deep.equal(['a.*', 'b.#']);
    expect(await channel.checkQueue(sink)).to.include({ queue: sink });
    await channel.close();
  });
});
