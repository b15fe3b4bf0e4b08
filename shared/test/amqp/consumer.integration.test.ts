import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { Channel, ConsumeMessage } from 'amqplib';
import { expect } from 'chai';
import { type AmqpClient, Consumer, type ConsumerOptions, type Delivery, Publisher } from '../../src/amqp/index.ts';
import { eventually, Recorder } from '../../src/testing/index.ts';
import { recordAndAck, testClient, testLogger, unique } from '../support/integration.ts';

describe('Consumer', () => {
  let client: AmqpClient;
  let channel: Channel;
  let publisher: Publisher;
  let stops: (() => Promise<void>)[] = [];

  before(async () => {
    client = testClient('test-consumer');
    await client.start();
    channel = await client.createChannel();
    publisher = new Publisher(client);
  });
  after(() => client.close());
  afterEach(async () => {
    for (const stop of stops) await stop();
    stops = [];
  });

  /** A new queue that lives as long as the test's connection. */
  async function newQueue(options: { deadLetterExchange?: string } = {}): Promise<string> {
    const { queue } = await channel.assertQueue(unique('test.consumer'), { exclusive: true, ...options });
    return queue;
  }

  /** Publishes each text to `queue`, confirmed. */
  async function send(queue: string, ...texts: string[]): Promise<void> {
    for (const text of texts) await publisher.publish('', queue, Buffer.from(text), { messageId: randomUUID() });
  }

  async function start(options: Omit<ConsumerOptions, 'logger'>): Promise<Consumer> {
    const { consumer, stop } = await Consumer.start(client, { logger: testLogger(), ...options });
    stops.push(stop);
    return consumer;
  }

  const textOf = (delivery: Delivery): string => delivery.message.content.toString();

  it('hands each delivery to the handler, which acknowledges it', async () => {
    const queue = await newQueue();
    const inbox = new Recorder<Delivery>();
    // With a prefetch of 1, each delivery after the first proves the previous one was acknowledged.
    await start({ queue, prefetch: 1, onMessage: recordAndAck(inbox) });
    await send(queue, 'one', 'two', 'three');
    expect([textOf(await inbox.next()), textOf(await inbox.next()), textOf(await inbox.next())]).to.deep.equal([
      'one',
      'two',
      'three',
    ]);
    expect(await channel.checkQueue(queue)).to.include({ messageCount: 0, consumerCount: 1 });
  });

  it('consumes again when the broker cancels it, once its queue is back, on the same connection', async () => {
    const queue = await newQueue();
    const inbox = new Recorder<Delivery>();
    const consumer = await start({ queue, prefetch: 1, onMessage: recordAndAck(inbox) });
    let reconnects = 0;
    const onConnected = () => {
      reconnects += 1;
    };
    client.on('connected', onConnected);
    try {
      // Deleting the queue cancels its consumer (as a classic queue's node going away does in a cluster).
      const cancelled = once(consumer, 'cancelled');
      await channel.deleteQueue(queue);
      await cancelled;
      const started = once(consumer, 'started');
      await channel.assertQueue(queue, { exclusive: true });
      await started;
      await send(queue, 'after the cancel');
      expect(textOf(await inbox.next())).to.equal('after the cancel');
      expect(reconnects, 'no reconnect needed').to.equal(0);
    } finally {
      client.off('connected', onConnected);
    }
  });

  it('emits started with its consumer tag once consuming', async () => {
    const queue = await newQueue();
    const consumer = new Consumer({ queue, prefetch: 1, onMessage: () => undefined, logger: testLogger() });
    const started = once(consumer, 'started');
    const detach = await client.attach(consumer);
    stops.push(async () => detach());
    const [consumerTag] = (await started) as [string];
    expect(consumerTag).to.be.a('string').and.not.be.empty;
    expect(await channel.checkQueue(queue)).to.include({ consumerCount: 1 });
  });

  it('has a bounded prefetch: with prefetch 2 and no acks, only 2 deliveries arrive', async () => {
    const queue = await newQueue();
    const inbox = new Recorder<Delivery>();
    await start({ queue, prefetch: 2, onMessage: inbox.push });
    await send(queue, '1', '2', '3', '4', '5');
    const first = await inbox.next();
    await inbox.next();
    // The queue dispatches as soon as a consumer has room: what it still holds is what it may not send.
    expect(await channel.checkQueue(queue)).to.include({ messageCount: 3 });
    expect(inbox.all.map(textOf)).to.deep.equal(['1', '2']);

    first.ack();
    expect(textOf(await inbox.next())).to.equal('3');
    expect(await channel.checkQueue(queue)).to.include({ messageCount: 2 });
    expect(inbox.all).to.have.length(3);
  });

  for (const [how, onMessage] of [
    [
      'throws',
      () => {
        throw new Error('cannot handle this');
      },
    ],
    ['rejects', () => Promise.reject(new Error('cannot handle this'))],
  ] as const) {
    it(`nacks without requeueing when the handler ${how}, so the message is dead-lettered`, async () => {
      const deadLetters = unique('test.dlx');
      await channel.assertExchange(deadLetters, 'fanout', { durable: false, autoDelete: true });
      const deadQueue = await newQueue();
      await channel.bindQueue(deadQueue, deadLetters, '');
      const queue = await newQueue({ deadLetterExchange: deadLetters });
      const consumer = await start({ queue, prefetch: 5, onMessage });
      const failed = once(consumer, 'handler-error');
      await send(queue, 'poison');
      const [error, message] = (await failed) as [Error, ConsumeMessage];
      expect(error.message).to.equal('cannot handle this');
      expect(message.content.toString()).to.equal('poison');

      const dead = await eventually(() => channel.get(deadQueue, { noAck: true }));
      expect(dead.content.toString()).to.equal('poison');
      expect(dead.properties.headers?.['x-death']?.[0]).to.include({ reason: 'rejected', queue });
    });
  }

  it('hands a delivery whose handler threw to onHandlerError, which settles it instead of the nack', async () => {
    const deadLetters = unique('test.dlx');
    await channel.assertExchange(deadLetters, 'fanout', { durable: false, autoDelete: true });
    const deadQueue = await newQueue();
    await channel.bindQueue(deadQueue, deadLetters, '');
    const queue = await newQueue({ deadLetterExchange: deadLetters });
    const settled = new Recorder<[string, string]>();
    await start({
      queue,
      prefetch: 5,
      onMessage: (delivery) => {
        throw new RangeError(`cannot handle ${textOf(delivery)}`);
      },
      onHandlerError: (error, delivery) => {
        if (textOf(delivery) === 'twice') throw new Error('cannot settle either');
        settled.push([textOf(delivery), (error as Error).message]);
        delivery.ack();
      },
    });
    await send(queue, 'once', 'twice', 'thrice');
    expect([await settled.next(), await settled.next()]).to.deep.equal([
      ['once', 'cannot handle once'],
      ['thrice', 'cannot handle thrice'],
    ]);
    // Only the one onHandlerError could not settle is nacked, so dead-lettered; the others were acked.
    const dead = await eventually(() => channel.get(deadQueue, { noAck: true }));
    expect(dead.content.toString()).to.equal('twice');
    expect(await channel.get(deadQueue, { noAck: true })).to.equal(false);
  });

  it('requeues when told to, so the message is delivered again', async () => {
    const queue = await newQueue();
    const inbox = new Recorder<Delivery>();
    await start({
      queue,
      prefetch: 5,
      requeueOnError: true,
      onMessage: (delivery) => {
        inbox.push(delivery);
        if (!delivery.message.fields.redelivered) throw new Error('try again');
        delivery.ack();
      },
    });
    await send(queue, 'retry me');
    expect((await inbox.next()).message.fields.redelivered).to.equal(false);
    const again = await inbox.next();
    expect(textOf(again)).to.equal('retry me');
    expect(again.message.fields.redelivered).to.equal(true);
  });

  it('settles a delivery once: a second ack or nack does not break the channel', async () => {
    const queue = await newQueue();
    const inbox = new Recorder<Delivery>();
    await start({
      queue,
      prefetch: 5,
      onMessage: (delivery) => {
        delivery.ack();
        delivery.ack();
        delivery.nack(true);
        inbox.push(delivery);
      },
    });
    await send(queue, 'a');
    expect(textOf(await inbox.next())).to.equal('a');
    // A double ack would have closed the channel (PRECONDITION_FAILED); this one still delivers.
    await send(queue, 'b');
    expect(textOf(await inbox.next())).to.equal('b');
    expect(inbox.all.map((delivery) => delivery.message.fields.redelivered)).to.deep.equal([false, false]);
  });

  it('with coalesceAcks, acknowledges what was acked in one tick and never a delivery still held', async () => {
    const queue = await newQueue();
    const inbox = new Recorder<Delivery>();
    const { stop } = await Consumer.start(client, {
      queue,
      prefetch: 5,
      logger: testLogger(),
      coalesceAcks: true,
      onMessage: inbox.push,
    });
    await send(queue, 'a', 'b', 'c', 'd', 'e');
    const deliveries = [
      await inbox.next(),
      await inbox.next(),
      await inbox.next(),
      await inbox.next(),
      await inbox.next(),
    ];
    for (const delivery of deliveries) if (textOf(delivery) !== 'c') delivery.ack();
    // Closing the channel returns what it still held: only c, so the four acks arrived and none covered c.
    await stop();
    await eventually(async () => (await channel.checkQueue(queue)).consumerCount === 0);
    expect(await channel.checkQueue(queue)).to.include({ messageCount: 1 });
    const left = await channel.get(queue, { noAck: true });
    expect(left === false ? undefined : left.content.toString()).to.equal('c');
  });

  it('stops consuming when stopped, leaving later messages in the queue', async () => {
    const queue = await newQueue();
    const inbox = new Recorder<Delivery>();
    const { stop } = await Consumer.start(client, {
      queue,
      prefetch: 5,
      logger: testLogger(),
      onMessage: recordAndAck(inbox),
    });
    await send(queue, 'before');
    expect(textOf(await inbox.next())).to.equal('before');
    await stop();
    await eventually(async () => (await channel.checkQueue(queue)).consumerCount === 0);
    await send(queue, 'after');
    expect(await channel.checkQueue(queue)).to.include({ messageCount: 1, consumerCount: 0 });
    expect(inbox.all).to.have.length(1);
  });
});
