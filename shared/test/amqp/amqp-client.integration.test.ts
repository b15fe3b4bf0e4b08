import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { expect } from 'chai';
import { type AmqpClient, type AmqpClientOptions, Consumer, type Delivery, Publisher } from '../../src/amqp/index.ts';
import { eventually, Recorder, rejectionOf, testConfig } from '../../src/testing/index.ts';
import { closedPort } from '../support/closed-port.ts';
import {
  connectionNamed,
  managementClient,
  recordAndAck,
  testClient,
  testLogger,
  unique,
} from '../support/integration.ts';

describe('AmqpClient', () => {
  const management = managementClient();
  let clients: AmqpClient[] = [];

  /** A client of the run's vhost, closed after the test; reconnects fast unless told otherwise. */
  function newClient(options: Partial<AmqpClientOptions> = {}): AmqpClient {
    const client = testClient('test-client', { initialDelayMs: 50, maxDelayMs: 200, ...options });
    clients.push(client);
    return client;
  }

  /** Consumes `queue` through `client` into an inbox; every delivery is acked unless `ack` is false. */
  async function consume(client: AmqpClient, queue: string, ack = true) {
    const inbox = new Recorder<Delivery>();
    const { consumer } = await Consumer.start(client, {
      queue,
      prefetch: 10,
      logger: testLogger(),
      onMessage: ack ? recordAndAck(inbox) : inbox.push,
    });
    return { consumer, inbox };
  }

  /** Publishes `text` to `queue` through the default exchange, confirmed. */
  function send(publisher: Publisher, queue: string, text: string): Promise<void> {
    return publisher.publish('', queue, Buffer.from(text), { messageId: randomUUID() });
  }

  afterEach(async () => {
    for (const client of clients) await client.close();
    clients = [];
  });

  it('connects with its connection_name visible in the management API', async () => {
    const connectionName = unique('test-service');
    const client = newClient({ connectionName });
    const connected = once(client, 'connected');
    await client.start();
    await connected;
    expect(client.connected).to.equal(true);
    const connection = await connectionNamed(management, connectionName);
    expect(connection).to.include({ vhost: testConfig().vhost, user: client.user });
  });

  it('declares its topology on connecting, before start() resolves', async () => {
    const queue = unique('test.declared');
    const client = newClient({
      declare: (channel) => channel.assertQueue(queue, { exclusive: true }).then(() => undefined),
    });
    await client.start();
    const channel = await client.createChannel();
    expect(await channel.checkQueue(queue)).to.include({ queue, messageCount: 0 });
    await channel.close();
  });

  it('reconnects by itself after an operator closes its connection, declares again and resumes consuming', async () => {
    const connectionName = unique('test-service');
    // An exclusive queue dies with its connection: only the declaration on reconnect brings it back.
    const queue = unique('test.reconnect');
    let declarations = 0;
    const client = newClient({
      connectionName,
      declare: async (channel) => {
        declarations += 1;
        await channel.assertQueue(queue, { exclusive: true });
      },
    });
    await client.start();
    const { consumer, inbox } = await consume(client, queue);
    const publisher = new Publisher(client);
    await send(publisher, queue, 'before');
    expect((await inbox.next()).message.content.toString()).to.equal('before');

    const first = await connectionNamed(management, connectionName);
    const disconnected = once(client, 'disconnected');
    const reconnected = once(client, 'connected');
    const resumed = once(consumer, 'started');
    await management.closeConnection(first.name, 'test closes it');
    const [error] = (await disconnected) as [Error];
    expect(error.message).to.contain('test closes it');
    expect(client.connected).to.equal(false);

    await reconnected;
    await resumed;
    expect(client.connected).to.equal(true);
    expect(declarations).to.equal(2);
    await send(publisher, queue, 'after');
    expect((await inbox.next()).message.content.toString()).to.equal('after');
    expect((await connectionNamed(management, connectionName, first.name)).name).to.not.equal(first.name);
  });

  it('redelivers what was not acknowledged before the connection was lost to the resumed consumer', async () => {
    const connectionName = unique('test-service');
    const queue = unique('test.redeliver');
    const client = newClient({
      connectionName,
      declare: (channel) => channel.assertQueue(queue, { durable: false }).then(() => undefined),
    });
    await client.start();
    const { consumer, inbox } = await consume(client, queue, false);
    await send(new Publisher(client), queue, 'work');
    const unfinished = await inbox.next();
    expect(unfinished.message.fields.redelivered).to.equal(false);

    const resumed = once(consumer, 'started');
    await management.closeConnection((await connectionNamed(management, connectionName)).name);
    await resumed;
    const again = await inbox.next();
    expect(again.message.content.toString()).to.equal('work');
    expect(again.message.fields.redelivered).to.equal(true);
    // The old delivery's channel is gone: acking it is a no-op, not a channel error.
    unfinished.ack();
    again.ack();
    const channel = await client.createChannel();
    await channel.deleteQueue(queue);
    await channel.close();
  });

  it('keeps reconnecting while setting up fails, reporting not connected, and resumes once it can', async () => {
    const connectionName = unique('test-service');
    const queue = unique('test.deleted');
    const client = newClient({ connectionName });
    await client.start();
    const setup = await client.createChannel();
    await setup.assertQueue(queue, { durable: false });
    await setup.close();
    const { consumer, inbox } = await consume(client, queue);

    // An operator deletes the queue and closes the connection: the consumer cannot resume yet.
    await management.request(
      'DELETE',
      `/queues/${encodeURIComponent(testConfig().vhost)}/${encodeURIComponent(queue)}`,
    );
    const failed = once(client, 'connect-failed');
    await management.closeConnection((await connectionNamed(management, connectionName)).name);
    await failed;
    expect(client.connected).to.equal(false);

    const resumed = once(consumer, 'started');
    await management.request('PUT', `/queues/${encodeURIComponent(testConfig().vhost)}/${encodeURIComponent(queue)}`, {
      durable: false,
    });
    await resumed;
    await once(client, 'connected');
    expect(client.connected).to.equal(true);
    await send(new Publisher(client), queue, 'back');
    expect((await inbox.next()).message.content.toString()).to.equal('back');
  });

  it('stays usable after Consumer.start fails for a queue that does not exist', async () => {
    const connectionName = unique('test-service');
    const client = newClient({ connectionName });
    await client.start();
    const error = await rejectionOf(consume(client, unique('test.missing')));
    expect(error).to.be.instanceOf(Error).with.property('message').that.contains('NOT_FOUND');

    const reconnected = once(client, 'connected');
    await management.closeConnection((await connectionNamed(management, connectionName)).name);
    await reconnected;
    expect(client.connected).to.equal(true);
  });

  it('start() rejects, naming the URL without its password, when the broker cannot be reached', async () => {
    const port = await closedPort();
    const client = newClient({ url: `amqp://warren:s3cret@127.0.0.1:${port}/some-vhost` });
    let failures = 0;
    client.on('connect-failed', () => {
      failures += 1;
    });
    const error = await rejectionOf(client.start());
    expect(error).to.be.instanceOf(Error);
    const { message } = error as Error;
    expect(message).to.contain(`amqp://warren:***@127.0.0.1:${port}/some-vhost`).and.contain('RABBITMQ_URL');
    expect(message).to.not.contain('s3cret');
    expect(failures, 'the first attempt and initialRetries (2) more').to.equal(3);
    expect(client.connected).to.equal(false);
  });

  it('start() gives up after initialRetries when the topology cannot be declared', async () => {
    const client = newClient({
      initialRetries: 0,
      declare: async (channel) => {
        await channel.checkExchange(unique('test.absent'));
      },
    });
    const error = await rejectionOf(client.start());
    expect(error).to.be.instanceOf(Error).with.property('message').that.contains('NOT_FOUND');
  });

  it('close() closes the connection and stops recovering it', async () => {
    const connectionName = unique('test-service');
    const client = newClient({ connectionName });
    await client.start();
    await connectionNamed(management, connectionName);
    let reconnects = 0;
    client.on('connected', () => {
      reconnects += 1;
    });
    await client.close();
    expect(client.connected).to.equal(false);
    await eventually(async () =>
      (await management.connections(testConfig().vhost)).every(
        (connection) => connection.client_properties?.connection_name !== connectionName,
      ),
    );
    expect(reconnects).to.equal(0);
    const error = await rejectionOf(client.createChannel());
    expect(error).to.have.property('code', 'BROKER_UNAVAILABLE');
  });
});
