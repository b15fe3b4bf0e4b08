import { randomUUID } from 'node:crypto';
import { AmqpClient, eventKeys, exchanges, queues } from '@warren/shared/amqp';
import { createLogger } from '@warren/shared/logging';
import { eventually, testConfig } from '@warren/shared/testing';
import { expect } from 'chai';
import { startUserFeed } from '../../src/broker/user-feed.ts';
import type { UserDirectory } from '../../src/users/user-directory.ts';
import { asAdmin, publishAsAdmin } from '../support/broker-admin.ts';

/** A copy of users whose writes fail while `failing`, recording each attempt. */
class FlakyDirectory {
  failing = true;
  readonly attempts: Array<{ id: string; at: number }> = [];

  async remember(user: { id: string }): Promise<boolean> {
    this.attempts.push({ id: user.id, at: performance.now() });
    if (this.failing) throw new Error('the database is away');
    return true;
  }
}

describe('chat-api user feed (warren.chat-api.users)', () => {
  const logger = createLogger({ service: 'test', level: testConfig().logLevel });
  const RETRY_MS = 300;
  let amqp: AmqpClient;
  let directory: FlakyDirectory;
  let stop: () => Promise<void>;

  before(async () => {
    amqp = new AmqpClient({ url: testConfig().users['chat-api'].url, connectionName: 'chat-api', logger });
    await amqp.start();
    directory = new FlakyDirectory();
    ({ stop } = await startUserFeed(amqp, directory as unknown as UserDirectory, {
      prefetch: 8,
      retryMs: RETRY_MS,
      logger,
    }));
  });
  after(async () => {
    await stop?.();
    await amqp?.close();
  });

  const announce = (messageId: string, body: unknown) =>
    publishAsAdmin(exchanges.events.name, eventKeys.userRegistered, Buffer.from(JSON.stringify(body)), {
      messageId,
      type: eventKeys.userRegistered,
      contentType: 'application/json',
      deliveryMode: 2,
    });

  it('holds an event it could not store for its retry time, then gets it again and stores it', async () => {
    const id = randomUUID();
    await announce(randomUUID(), {
      user: { id, username: `held_${id.slice(0, 8)}`, created_at: new Date().toISOString() },
    });
    await eventually(() => directory.attempts.some((attempt) => attempt.id === id), { timeoutMs: 10_000 });
    directory.failing = false;
    await eventually(() => directory.attempts.filter((attempt) => attempt.id === id).length >= 2, {
      timeoutMs: 10_000,
    });
    const [first, second] = directory.attempts.filter((attempt) => attempt.id === id);
    // A lower bound only: the requeue waited at least the retry time (an immediate one would spin).
    expect((second?.at ?? 0) - (first?.at ?? 0)).to.be.at.least(RETRY_MS - 5);
  });

  it('dead-letters an event that is not a valid user.registered, with the rest of the dead letters', async () => {
    const messageId = randomUUID();
    await announce(messageId, { user: { id: 'not-a-uuid' } });
    const found = await eventually(
      () =>
        asAdmin(async (channel) => {
          // Every message is taken unacknowledged until ours; closing the connection puts the rest back.
          for (;;) {
            const message = await channel.get(queues.deadLetter.name, { noAck: false });
            if (message === false) return false;
            if (message.properties.messageId === messageId) {
              channel.ack(message);
              return message;
            }
          }
        }),
      { timeoutMs: 10_000, intervalMs: 100 },
    );
    expect(found.properties.headers?.['x-death']?.[0]?.queue).to.equal(queues.chatApiUsers.name);
  });
});
