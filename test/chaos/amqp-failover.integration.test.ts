import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { AmqpClient, Consumer, type Delivery, Publisher } from '@warren/shared/amqp';
import { createLogger } from '@warren/shared/logging';
import { Recorder, rejectionOf } from '@warren/shared/testing';
import { expect } from 'chai';
import { freePort } from '../support/free-port.ts';
import { DEV_PASSWORDS, PrivateRabbitMq } from '../support/private-rabbitmq.ts';

/**
 * `AmqpClient` given a list of nodes (RABBITMQ_URL naming a cluster's nodes, OPERATIONS.md), on two
 * real RabbitMQ nodes of the test's own: when its node goes away it moves to the other one, declares
 * its topology there and resumes consuming and publishing; every reconnect tries the next node. The
 * nodes are not clustered: what moves is the client alone (test/chaos/cluster.integration.test.ts
 * runs Warren on a cluster).
 */
describe('AmqpClient over a list of nodes (two private RabbitMQ nodes)', function () {
  this.timeout(180_000);
  const logger = createLogger({ service: 'test', level: 'silent' });
  let nodes: PrivateRabbitMq[] = [];
  let clients: AmqpClient[] = [];

  before(async function () {
    this.timeout(120_000);
    nodes = await Promise.all([
      PrivateRabbitMq.start({ management: false }),
      PrivateRabbitMq.start({ management: false }),
    ]);
  });
  after(async () => {
    await Promise.all(nodes.map((node) => node.remove()));
  });
  afterEach(async () => {
    for (const client of clients) await client.close();
    clients = [];
  });

  const admin = (node: PrivateRabbitMq) => node.url('admin', DEV_PASSWORDS.admin);

  function newClient(url: string, declare?: (queue: string) => void) {
    const queue = `test.failover.${randomUUID()}`;
    const client = new AmqpClient({
      url,
      connectionName: 'test failover',
      logger,
      initialDelayMs: 50,
      maxDelayMs: 500,
      // An exclusive queue dies with its connection: only the declaration on the next node brings it back.
      declare: async (channel) => {
        await channel.assertQueue(queue, { exclusive: true });
        declare?.(queue);
      },
    });
    clients.push(client);
    return { client, queue };
  }

  /** The node of `nodes` whose AMQP port the client's current node URL names. */
  function nodeOf(client: AmqpClient): PrivateRabbitMq | undefined {
    const current = client.node;
    return current === undefined ? undefined : nodes.find((node) => new URL(current).port === String(node.port));
  }

  it('moves to the other node when its node stops, declares there and resumes; and back again', async () => {
    let declarations = 0;
    const { client, queue } = newClient(nodes.map(admin).join(','), () => {
      declarations += 1;
    });
    await client.start();
    const first = nodeOf(client);
    expect(first, 'connected to one of the nodes').to.not.equal(undefined);
    const inbox = new Recorder<Delivery>({ name: 'deliveries' });
    await Consumer.start(client, {
      queue,
      prefetch: 10,
      logger,
      onMessage: (delivery) => {
        inbox.push(delivery);
        delivery.ack();
      },
    });
    const publisher = new Publisher(client);
    const send = (text: string) => publisher.publish('', queue, Buffer.from(text), { messageId: randomUUID() });
    await send('on the first node');
    expect((await inbox.next()).message.content.toString()).to.equal('on the first node');

    for (const [round, text] of [
      [1, 'on the second node'],
      [2, 'on the first node again'],
    ] as const) {
      const gone = nodeOf(client) as PrivateRabbitMq;
      const disconnected = once(client, 'disconnected');
      const connected = once(client, 'connected');
      await gone.shutdown();
      await disconnected;
      await connected;
      const now = nodeOf(client);
      expect(now, `round ${round}: the node that answers`).to.not.equal(undefined).and.not.equal(gone);
      expect(declarations, `round ${round}: declared on each connection`).to.equal(round + 1);
      await send(text);
      expect((await inbox.next()).message.content.toString()).to.equal(text);
      await gone.boot();
    }
    expect(nodeOf(client)).to.equal(first);
  });

  it('starts on a node that answers whichever node of the list is down', async () => {
    const closed = `amqp://admin:${DEV_PASSWORDS.admin}@127.0.0.1:${await freePort()}/warren`;
    const node = nodes[0] as PrivateRabbitMq;
    for (let i = 0; i < 4; i += 1) {
      const { client } = newClient(`${closed},${admin(node)}`);
      let failures = 0;
      client.on('connect-failed', () => {
        failures += 1;
      });
      await client.start();
      expect(nodeOf(client)).to.equal(node);
      // Started at the closed one (one failure) or at the node (none): never twice at the closed one.
      expect(failures).to.be.at.most(1);
    }
  });

  it('start() rejects after initialRetries rounds of every node, naming each without its password', async () => {
    const urls = [await freePort(), await freePort()].map((port) => `amqp://admin:s3cret@127.0.0.1:${port}/warren`);
    const client = new AmqpClient({
      url: urls.join(','),
      connectionName: 'test failover',
      logger,
      initialDelayMs: 10,
      initialRetries: 1,
    });
    let failures = 0;
    client.on('connect-failed', () => {
      failures += 1;
    });
    const error = (await rejectionOf(client.start())) as Error;
    expect(failures, 'two rounds of two nodes').to.equal(4);
    for (const url of urls) expect(error.message).to.contain(url.replace('s3cret', '***'));
    expect(error.message).to.not.contain('s3cret');
    expect(error.message).to.contain('RABBITMQ_URL');
  });
});
