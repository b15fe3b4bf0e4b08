import { randomUUID } from 'node:crypto';
import { AmqpClient, names } from '@warren/shared/amqp';
import { SharedErrors } from '@warren/shared/errors';
import { createLogger } from '@warren/shared/logging';
import { ManagementClient } from '@warren/shared/management';
import { eventually, testConfig } from '@warren/shared/testing';
import amqp, { type Channel, type ChannelModel, type ConsumeMessage } from 'amqplib';
import { expect } from 'chai';
import { ConsumerChannel, type Subscription } from '../src/consumer-channel.ts';

/** A subscription handler that records what it is told. */
class Recorder {
  readonly deliveries: ConsumeMessage[] = [];
  lost: string | undefined;
  #waiters: (() => void)[] = [];
  onDelivery = (message: ConsumeMessage) => {
    this.deliveries.push(message);
    this.#wake();
  };
  onLost = (reason: string) => {
    this.lost = reason;
    this.#wake();
  };
  /** Resolves once `done()` holds. */
  async until(done: () => boolean): Promise<void> {
    while (!done()) await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }
  #wake() {
    for (const wake of this.#waiters.splice(0)) wake();
  }
}

const management = () => new ManagementClient(testConfig().managementUrl);
const queuePath = (name: string) => `/queues/${encodeURIComponent(testConfig().vhost)}/${encodeURIComponent(name)}`;

async function queueExists(name: string): Promise<boolean> {
  try {
    await management().request('GET', queuePath(name));
    return true;
  } catch {
    return false;
  }
}

describe('consumer channel', () => {
  let client: AmqpClient;
  let consumers: ConsumerChannel;
  let admin: ChannelModel;
  let adminChannel: Channel;
  const subscriptions: Subscription[] = [];
  const failures: unknown[] = [];

  /** Publishes raw bytes to a user's exchange, as the vhost's administrator. */
  const publishToUser = (userId: string, body: string) =>
    adminChannel.publish(names.userExchange(userId), '', Buffer.from(body));

  before(async () => {
    const logger = createLogger({ service: 'ws-gateway', level: testConfig().logLevel });
    client = new AmqpClient({ url: testConfig().users['ws-gateway'].url, connectionName: 'ws-gateway', logger });
    await client.start();
    consumers = new ConsumerChannel({ logger, onDeliveryFailed: (error) => failures.push(error) });
    await client.attach(consumers);
    admin = await amqp.connect(testConfig().rabbitmqUrl);
    adminChannel = await admin.createChannel();
  });
  afterEach(async () => {
    await Promise.all(subscriptions.splice(0).map((subscription) => subscription.cancel()));
  });
  after(async () => {
    await admin?.close();
    await client?.close();
  });

  const subscribe = async (userId: string, recorder: Recorder) => {
    const subscription = await consumers.subscribe(userId, randomUUID(), recorder);
    subscriptions.push(subscription);
    return subscription;
  };

  it('drops a delivery its handler throws on and keeps the shared channel: every subscription flows on', async () => {
    const [victim, bystander] = [new Recorder(), new Recorder()];
    const throwing = {
      onDelivery: (message: ConsumeMessage) => {
        if (message.content.toString() === 'poison') throw new RangeError('Maximum call stack size exceeded');
        victim.onDelivery(message);
      },
      onLost: victim.onLost,
    };
    const [victimUser, bystanderUser] = [randomUUID(), randomUUID()];
    const victimSubscription = await consumers.subscribe(victimUser, randomUUID(), throwing);
    subscriptions.push(victimSubscription);
    await subscribe(bystanderUser, bystander);
    const before = failures.length;
    for (const body of ['poison', 'after', 'poison', 'later']) {
      publishToUser(victimUser, body);
      publishToUser(bystanderUser, body);
    }
    await victim.until(() => victim.deliveries.length === 2);
    await bystander.until(() => bystander.deliveries.length === 4);
    expect(victim.deliveries.map((m) => m.content.toString())).to.deep.equal(['after', 'later']);
    expect(bystander.deliveries.map((m) => m.content.toString())).to.deep.equal(['poison', 'after', 'poison', 'later']);
    expect([victim.lost, bystander.lost]).to.deep.equal([undefined, undefined]);
    expect(failures.slice(before).map((error) => (error as Error).name)).to.deep.equal(['RangeError', 'RangeError']);
    expect(await queueExists(victimSubscription.queue)).to.equal(true);
  });

  it("declares the user's exchange and the connection's queue, consumes it, and cancelling removes it", async () => {
    const [userId, connectionId, recorder] = [randomUUID(), randomUUID(), new Recorder()];
    const subscription = await consumers.subscribe(userId, connectionId, recorder);
    expect(subscription.queue).to.equal(`warren.ws.${userId}.${connectionId}`);
    publishToUser(userId, 'one');
    publishToUser(userId, 'two');
    await recorder.until(() => recorder.deliveries.length === 2);
    expect(recorder.deliveries.map((m) => m.content.toString())).to.deep.equal(['one', 'two']);
    expect(await queueExists(subscription.queue)).to.equal(true);

    await subscription.cancel();
    await eventually(async () => !(await queueExists(subscription.queue)));
    expect(recorder.lost).to.equal(undefined);
  });

  it("declares a user's exchange once per broker connection, and again if it was deleted since", async () => {
    const userId = randomUUID();
    const first = await subscribe(userId, new Recorder());
    await subscribe(userId, new Recorder());
    // An operator deletes the exchange (and its bindings): the next subscription still gets one.
    await first.cancel();
    await adminChannel.deleteExchange(names.userExchange(userId));
    const recorder = new Recorder();
    await subscribe(userId, recorder);
    publishToUser(userId, 'after the exchange came back');
    await recorder.until(() => recorder.deliveries.length === 1);
    expect(recorder.deliveries[0]?.content.toString()).to.equal('after the exchange came back');
  });

  it('keeps every consumer going when the broker refuses a declaration', async () => {
    const [alice, recorder] = [randomUUID(), new Recorder()];
    await subscribe(alice, recorder);
    // A user exchange of the wrong type: declaring it again is refused, which closes its channel.
    const broken = randomUUID();
    await adminChannel.assertExchange(names.userExchange(broken), 'topic', { durable: true });
    const refused = await consumers.subscribe(broken, randomUUID(), new Recorder()).then(
      () => undefined,
      (error: Error) => error,
    );
    expect(refused?.message).to.match(/PRECONDITION_FAILED/);

    publishToUser(alice, 'still here');
    await recorder.until(() => recorder.deliveries.length === 1);
    const later = new Recorder();
    await subscribe(randomUUID(), later);
    expect(recorder.lost).to.equal(undefined);
    await adminChannel.deleteExchange(names.userExchange(broken));
  });

  it('reports a subscription lost when its queue is deleted', async () => {
    const [userId, recorder, other] = [randomUUID(), new Recorder(), new Recorder()];
    const subscription = await subscribe(userId, recorder);
    await subscribe(randomUUID(), other);
    // Only the connection that declared an exclusive queue may delete it (not even the management API).
    const owner = await client.createChannel();
    await owner.deleteQueue(subscription.queue);
    await owner.close();
    await recorder.until(() => recorder.lost !== undefined);
    expect(recorder.lost).to.match(/queue was deleted/);
    expect(other.lost).to.equal(undefined);
  });

  it('refuses to subscribe once stopped', async () => {
    const stopped = new ConsumerChannel({ logger: createLogger({ service: 'ws-gateway', level: 'silent' }) });
    const error = await stopped.subscribe(randomUUID(), randomUUID(), new Recorder()).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(SharedErrors.brokerUnavailable);
  });
});
