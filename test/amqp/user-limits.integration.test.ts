import { readFileSync } from 'node:fs';
import { userLimits } from '@warren/shared/amqp';
import { ManagementClient } from '@warren/shared/management';
import { eventually, testConfig } from '@warren/shared/testing';
import amqp, { type ChannelModel } from 'amqplib';
import { expect } from 'chai';

/** The users of rabbitmq/definitions.json, as RabbitMQ imports them. */
interface DefinitionsUser {
  name: string;
  password_hash: string;
  hashing_algorithm: string;
  tags: string[];
  limits?: Record<string, number>;
}

const definitions = JSON.parse(readFileSync(new URL('../../rabbitmq/definitions.json', import.meta.url), 'utf8')) as {
  users: DefinitionsUser[];
};

/** Opens `count` connections as the AMQP user of `url`, one after the other. */
async function openConnections(url: string, count: number): Promise<ChannelModel[]> {
  const opened: ChannelModel[] = [];
  try {
    for (let i = 0; i < count; i += 1) opened.push(await amqp.connect(url));
    return opened;
  } catch (error) {
    await Promise.all(opened.map((connection) => connection.close().catch(() => undefined)));
    throw error;
  }
}

describe('per-user limits bound what one producer can hold', () => {
  const management = () => new ManagementClient(testConfig().managementUrl);
  const bot = () => testConfig().users.bot;
  const limitPath = (name: string) => `/user-limits/${encodeURIComponent(bot().name)}/${name}`;

  before(async () => {
    // The run's bot user gets the limits the deployment's bot has in rabbitmq/definitions.json.
    for (const [name, value] of Object.entries(userLimits.bot)) {
      await management().request('PUT', limitPath(name), { value });
    }
  });
  after(async () => {
    for (const name of Object.keys(userLimits.bot)) await management().request('DELETE', limitPath(name));
  });

  it(`the bot cannot open more than ${userLimits.bot['max-connections']} connections`, async () => {
    const limit = userLimits.bot['max-connections'];
    // The broker counts connections closed a moment ago (by earlier tests) until it has tracked their close.
    const held = await eventually(() => openConnections(bot().url, limit).catch(() => undefined));
    try {
      const refused = await amqp.connect(bot().url).then(
        async (connection) => {
          await connection.close();
          return expect.fail(`a connection beyond the limit of ${limit} was opened`);
        },
        (error: Error) => error,
      );
      // RabbitMQ answers connection.open with a close; amqplib keeps only that fact.
      expect(refused.message).to.match(/ConnectionClose/);

      // It was the limit: with one connection fewer, the next one opens.
      await held.pop()?.close();
      const again = await eventually(() => amqp.connect(bot().url).catch(() => undefined));
      held.push(again);
    } finally {
      await Promise.all(held.map((connection) => connection.close().catch(() => undefined)));
    }
  });

  it(`the bot cannot open more than ${userLimits.bot['max-channels']} channels`, async () => {
    const limit = userLimits.bot['max-channels'];
    const connection = await amqp.connect(bot().url);
    const closed = new Promise<Error>((resolve) => connection.once('error', resolve));
    try {
      for (let i = 0; i < limit; i += 1) await connection.createChannel();
      const refused = await connection.createChannel().then(
        () => expect.fail(`a channel beyond the limit of ${limit} was opened`),
        (error: Error) => error,
      );
      expect(refused).to.be.instanceOf(Error);
      // Going over the limit costs the whole connection, with the broker's reason.
      expect((await closed).message).to.include(`maximum allowed user limit of (${limit})`);
    } finally {
      await connection.close().catch(() => undefined);
    }
  });

  it("RabbitMQ imports the definitions' user limits as they are written", async () => {
    // The file's users, renamed for this run and without permissions, so nothing else changes.
    const users = definitions.users
      .filter((user) => user.limits !== undefined)
      .map((user) => ({ ...user, name: `${testConfig().vhost}-def-${user.name}` }));
    expect(users.map((user) => user.name)).to.have.length(Object.keys(userLimits).length);
    try {
      await management().request('POST', '/definitions', { users });
      for (const user of users) {
        const set = await management().request<{ user: string; value: Record<string, number> }[]>(
          'GET',
          `/user-limits/${encodeURIComponent(user.name)}`,
        );
        expect(set, user.name).to.deep.equal([{ user: user.name, value: user.limits }]);
      }
    } finally {
      for (const user of users) await management().deleteUser(user.name);
    }
  });
});
