import { randomBytes, randomUUID } from 'node:crypto';
import { exchanges, names } from '@warren/shared/amqp';
import { databaseSchemas } from '@warren/shared/db';
import { newMessageId } from '@warren/shared/envelope';
import { ManagementClient } from '@warren/shared/management';
import { testConfig } from '@warren/shared/testing';
import amqp from 'amqplib';
import { expect } from 'chai';
import { publishRaw } from '../../test/amqp/support/publish.ts';
import { inVhost, useWarren } from '../../test/support/warren.ts';
import { runCli } from './support/cli.ts';

describe('warren dead-letters', () => {
  const warren = useWarren();
  const bot = () => testConfig().users.bot;
  const management = () => new ManagementClient(testConfig().managementUrl);

  /**
   * A session whose exchange exists (bound to warren.messages) but whose row does not: what a broker
   * restored before its database looks like. The persister dead-letters its messages as
   * unknown_session, until {@link fixSession} adds the row.
   */
  async function brokenSession(): Promise<string> {
    const id = randomUUID();
    const connection = await amqp.connect(warren.urls.admin);
    try {
      const channel = await connection.createChannel();
      await channel.assertExchange(names.sessionExchange(id), 'fanout', { durable: true });
      await channel.bindExchange(exchanges.messages.name, names.sessionExchange(id), '');
    } finally {
      await connection.close();
    }
    return id;
  }

  async function fixSession(id: string): Promise<void> {
    await warren.db
      .withSchema(databaseSchemas.chat)
      .into('sessions')
      .insert({ id, kind: 'group', name: `restored ${id.slice(0, 8)}`, visibility: 'private' });
  }

  /** The letters of a session as `warren dead-letters --json` lists them. */
  async function listed(sessionId: string, env: Record<string, string> = {}): Promise<Record<string, unknown>[]> {
    const result = await runCli(['dead-letters', '--session', sessionId, '--json'], env);
    expect(result.code, result.stderr).to.equal(0);
    return JSON.parse(result.stdout);
  }

  it('lists what was dead-lettered and why, leaving it there; --requeue after the fix stores it and removes it', async () => {
    const sessionId = await brokenSession();
    const id = newMessageId();
    await publishRaw(bot().url, names.sessionExchange(sessionId), 'Maintenance at 18:00', { messageId: id });
    expect((await warren.deadLettered(id)).reason).to.equal('unknown_session');

    const list = await runCli(['dead-letters', '--session', sessionId]);
    expect(list.code, list.stderr).to.equal(0);
    expect(list.stdout).to.include(`${id}  ${sessionId}  unattributed (no user_id)`);
    expect(list.stdout).to.match(/why: unknown_session: /);
    expect(list.stdout).to.include('content: Maintenance at 18:00');
    expect(await listed(sessionId)).to.deep.equal([
      {
        messageId: id,
        error: (await warren.deadLettered(id)).error,
        originalExchange: names.sessionExchange(sessionId),
        sessionId,
        originalUserId: null,
        preview: 'Maintenance at 18:00',
      },
    ]);

    await fixSession(sessionId);
    const requeue = await runCli(['dead-letters', '--requeue', '--session', sessionId]);
    expect(requeue.code, requeue.stderr).to.equal(0);
    expect(requeue.stdout).to.include(`requeued ${id} to ${names.sessionExchange(sessionId)}`);
    expect(await warren.stored({ id })).to.deep.include({
      session_id: sessionId,
      author_kind: 'system',
      content: 'Maintenance at 18:00',
    });
    expect(await listed(sessionId)).to.deep.equal([]);
  });

  describe("a bot's letter keeps its author", () => {
    const operator = `${testConfig().vhost}-operator`;
    const password = randomBytes(12).toString('hex');
    const operatorUrl = () => {
      const url = new URL(inVhost(testConfig().rabbitmqUrl, warren.vhost));
      url.username = operator;
      url.password = password;
      return url.toString();
    };
    const tag = (tags: string) => management().request('PUT', `/users/${operator}`, { password, tags });

    before(async () => {
      await tag('');
      await management().setPermissions(warren.vhost, operator, { configure: '.*', write: '.*', read: '.*' });
    });
    after(async () => {
      await management().deleteUser(operator);
    });

    it("is kept, with why, by an operator who may not restore the bot's user_id; requeued by one tagged impersonator", async () => {
      const sessionId = await brokenSession();
      const id = newMessageId();
      await publishRaw(bot().url, names.sessionExchange(sessionId), 'build 99 failed', {
        messageId: id,
        userId: bot().name,
      });
      await warren.deadLettered(id);
      await fixSession(sessionId);

      const kept = await runCli(['dead-letters', '--requeue', '--session', sessionId], { RABBITMQ_URL: operatorUrl() });
      expect(kept.code).to.equal(1);
      expect(kept.stdout).to.include(
        `kept ${id}: RabbitMQ refused user_id '${bot().name}': this connection is authenticated as '${operator}'`,
      );
      expect(kept.stdout).to.include('or as a user tagged impersonator');
      expect(kept.stderr).to.include('1 of 1 dead letters could not be requeued; they stay in warren.dead-letter.');
      expect(await listed(sessionId)).to.have.length(1);

      await tag('impersonator');
      const requeued = await runCli(['dead-letters', '--requeue', '--session', sessionId], {
        RABBITMQ_URL: operatorUrl(),
      });
      expect(requeued.code, requeued.stderr).to.equal(0);
      expect(await warren.stored({ id })).to.deep.include({ author_kind: 'bot', author_name: bot().name });
      expect(await listed(sessionId)).to.deep.equal([]);
    });
  });

  it('leaves the letters of other sessions alone, and --id picks one letter', async () => {
    const sessionId = await brokenSession();
    const [first, second] = [newMessageId(), newMessageId()];
    for (const id of [first, second]) {
      await publishRaw(bot().url, names.sessionExchange(sessionId), `letter ${id}`, { messageId: id });
      await warren.deadLettered(id);
    }
    const other = await brokenSession();
    const elsewhere = newMessageId();
    await publishRaw(bot().url, names.sessionExchange(other), 'elsewhere', { messageId: elsewhere });
    await warren.deadLettered(elsewhere);
    await fixSession(sessionId);

    const one = await runCli(['dead-letters', '--requeue', '--id', first]);
    expect(one.code, one.stderr).to.equal(0);
    expect(one.stdout).to.include('1 requeued');
    await warren.stored({ id: first });
    expect((await listed(sessionId)).map((letter) => letter.messageId)).to.deep.equal([second]);
    expect((await listed(other)).map((letter) => letter.messageId)).to.deep.equal([elsewhere]);
  });

  it('exits 1 naming the read permission a producer user lacks', async () => {
    const result = await runCli(['dead-letters'], { RABBITMQ_URL: bot().url });
    expect(result.code).to.equal(1);
    expect(result.stderr).to.include(`RabbitMQ refused to let user '${bot().name}' read warren.dead-letter`);
    expect(result.stderr).to.include('Dead letters are for operators');
  });
});
