import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { Channel } from 'amqplib';
import { expect } from 'chai';
import { Registry } from 'prom-client';
import { AmqpClient, Publisher, type PublishResult } from '../../src/amqp/index.ts';
import { WarrenError } from '../../src/errors.ts';
import { Recorder, rejectionOf, testConfig } from '../../src/testing/index.ts';
import { connectionNamed, managementClient, testClient, testLogger, unique } from '../support/integration.ts';

/** What a publish rejected with, checked to be a WarrenError. */
async function warrenErrorOf(publishing: Promise<void>): Promise<WarrenError> {
  const error = await rejectionOf(publishing);
  expect(error).to.be.instanceOf(WarrenError);
  return error as WarrenError;
}

describe('Publisher', () => {
  let client: AmqpClient;
  let channel: Channel;
  let registry: Registry;
  let publisher: Publisher;
  let settled: Recorder<[PublishResult, string, string]>;

  before(async () => {
    client = testClient('test-publisher');
    await client.start();
    channel = await client.createChannel();
  });
  after(() => client.close());

  beforeEach(() => {
    registry = new Registry();
    publisher = new Publisher(client, { registry });
    settled = new Recorder();
    publisher.on('settled', (...event) => settled.push(event));
  });

  /** A new queue that lives as long as the test's connection. */
  async function newQueue(): Promise<string> {
    const { queue } = await channel.assertQueue(unique('test.publisher'), { exclusive: true });
    return queue;
  }

  it('resolves once the broker has confirmed the message, which is in the queue', async () => {
    const queue = await newQueue();
    const messageId = randomUUID();
    await publisher.publish('', queue, Buffer.from('hello'), {
      messageId,
      contentType: 'text/plain',
      persistent: true,
    });
    expect(await settled.next()).to.deep.equal(['confirmed', messageId, '']);
    const message = await channel.get(queue, { noAck: true });
    if (!message) throw new Error('the queue is empty');
    expect(message.content.toString()).to.equal('hello');
    expect(message.properties).to.include({ messageId, contentType: 'text/plain', deliveryMode: 2 });
  });

  it('rejects with BROKER_UNAVAILABLE when nothing is bound to the exchange (mandatory)', async () => {
    const exchange = unique('test.unbound');
    await channel.assertExchange(exchange, 'fanout', { durable: false });
    const messageId = randomUUID();
    const error = await warrenErrorOf(publisher.publish(exchange, '', Buffer.from('lost'), { messageId }));
    expect(error).to.include({ code: 'BROKER_UNAVAILABLE', status: 503 });
    expect(error.message).to.contain(exchange);
    expect(await settled.next()).to.deep.equal(['returned', messageId, exchange]);
    await channel.deleteExchange(exchange);
  });

  it('rejects when the exchange does not exist, and the next publish works on a fresh channel', async () => {
    const missing = unique('test.missing');
    const messageId = randomUUID();
    const error = await warrenErrorOf(publisher.publish(missing, '', Buffer.from('nowhere'), { messageId }));
    expect(error).to.include({ code: 'BROKER_UNAVAILABLE', status: 503 });
    expect(await settled.next()).to.deep.equal(['nacked', messageId, missing]);

    const queue = await newQueue();
    const nextId = randomUUID();
    await publisher.publish('', queue, Buffer.from('here'), { messageId: nextId });
    expect(await settled.next()).to.deep.equal(['confirmed', nextId, '']);
  });

  it('tells routed from unroutable messages published at the same time', async () => {
    const queue = await newQueue();
    const exchange = unique('test.unbound');
    await channel.assertExchange(exchange, 'fanout', { durable: false });
    const routed = Array.from({ length: 20 }, () => randomUUID());
    const unroutable = Array.from({ length: 20 }, () => randomUUID());
    const results = await Promise.allSettled(
      routed.flatMap((messageId, i) => [
        publisher.publish('', queue, Buffer.from('routed'), { messageId }),
        publisher.publish(exchange, '', Buffer.from('unroutable'), { messageId: unroutable[i] ?? '' }),
      ]),
    );
    expect(results.map((result) => result.status)).to.deep.equal(routed.flatMap(() => ['fulfilled', 'rejected']));
    expect(await channel.checkQueue(queue)).to.include({ messageCount: 20 });
    const outcomes = new Map(settled.all.map(([result, messageId]) => [messageId, result]));
    for (const messageId of routed) expect(outcomes.get(messageId)).to.equal('confirmed');
    for (const messageId of unroutable) expect(outcomes.get(messageId)).to.equal('returned');
    await channel.deleteExchange(exchange);
  });

  it('counts publishes by how they ended', async () => {
    const queue = await newQueue();
    await publisher.publish('', queue, Buffer.from('a'), { messageId: randomUUID() });
    await publisher.publish('', queue, Buffer.from('b'), { messageId: randomUUID() });
    await warrenErrorOf(publisher.publish('', unique('test.no-queue'), Buffer.from('c'), { messageId: randomUUID() }));
    const metrics = await registry.metrics();
    expect(metrics).to.contain('warren_amqp_publishes_total{result="confirmed"} 2');
    expect(metrics).to.contain('warren_amqp_publishes_total{result="returned"} 1');
  });

  describe('while disconnected', () => {
    it('rejects with BROKER_UNAVAILABLE at once when the client never connected', async () => {
      const idle = new AmqpClient({ url: testConfig().rabbitmqUrl, connectionName: 'never', logger: testLogger() });
      const offline = new Publisher(idle);
      const events = new Recorder<[PublishResult, string, string]>();
      offline.on('settled', (...event) => events.push(event));
      const messageId = randomUUID();
      const error = await warrenErrorOf(offline.publish('', 'anything', Buffer.from('x'), { messageId }));
      expect(error).to.include({ code: 'BROKER_UNAVAILABLE', status: 503 });
      expect(await events.next()).to.deep.equal(['unavailable', messageId, '']);
    });

    it('rejects with BROKER_UNAVAILABLE after the connection is lost', async () => {
      const connectionName = unique('test-publisher');
      // Slow to reconnect, so the test publishes while the connection is surely down.
      const flaky = new AmqpClient({
        url: testConfig().rabbitmqUrl,
        connectionName,
        logger: testLogger(),
        initialDelayMs: 60_000,
        maxDelayMs: 60_000,
      });
      try {
        await flaky.start();
        const offline = new Publisher(flaky);
        const events = new Recorder<[PublishResult, string, string]>();
        offline.on('settled', (...event) => events.push(event));
        const queue = await newQueue();
        await offline.publish('', queue, Buffer.from('before'), { messageId: randomUUID() });
        expect((await events.next())[0]).to.equal('confirmed');

        const management = managementClient();
        const disconnected = once(flaky, 'disconnected');
        await management.closeConnection((await connectionNamed(management, connectionName)).name);
        await disconnected;
        const messageId = randomUUID();
        const error = await warrenErrorOf(offline.publish('', queue, Buffer.from('during'), { messageId }));
        expect(error).to.include({ code: 'BROKER_UNAVAILABLE' });
        expect(await events.next()).to.deep.equal(['unavailable', messageId, '']);
      } finally {
        await flaky.close();
      }
    });
  });
});
