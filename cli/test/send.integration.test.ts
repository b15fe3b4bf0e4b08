import { randomUUID } from 'node:crypto';
import { names } from '@warren/shared/amqp';
import { testConfig } from '@warren/shared/testing';
import amqp from 'amqplib';
import { expect } from 'chai';
import { inVhost, useOwnedSession, useWarren } from '../../test/support/warren.ts';
import { runCli } from './support/cli.ts';

/** The message id `warren send` reports on stdout. */
function sentId(stdout: string): string {
  const match = /^sent (\S+) to warren\.session\.\S+$/m.exec(stdout);
  if (!match?.[1]) throw new Error(`no "sent" line in: ${stdout}`);
  return match[1];
}

describe('warren send', () => {
  const warren = useWarren();
  const session = useOwnedSession(warren);
  const bot = () => testConfig().users.bot;

  it('publishes as a producer user with --as its own name: confirmed, then stored as that bot', async () => {
    const result = await runCli(['send', '--session', session.id, '--as', bot().name, 'build', '1234', 'passed'], {
      RABBITMQ_URL: bot().url,
    });
    expect(result.code, result.stderr).to.equal(0);
    const row = await warren.stored({ id: sentId(result.stdout) });
    expect(row).to.deep.include({
      session_id: session.id,
      author_kind: 'bot',
      author_name: bot().name,
      content: 'build 1234 passed',
    });
  });

  it('without --as publishes no user_id: a system message', async () => {
    const result = await runCli(['send', '--session', session.id, 'the build farm restarts at noon'], {
      RABBITMQ_URL: bot().url,
    });
    expect(result.code, result.stderr).to.equal(0);
    expect(await warren.stored({ id: sentId(result.stdout) })).to.deep.include({
      author_kind: 'system',
      author_name: null,
    });
  });

  it('stores a message sent twice with one --id once', async () => {
    const id = randomUUID();
    for (let i = 0; i < 2; i += 1) {
      const result = await runCli(['send', '--session', session.id, '--id', id, 'said once'], {
        RABBITMQ_URL: bot().url,
      });
      expect(result.code, result.stderr).to.equal(0);
    }
    await warren.stored({ id });
    const rows = await warren.db.withSchema('history').from('messages').where({ content: 'said once' });
    expect(rows).to.have.length(1);
  });

  it('with --reply-to publishes a JSON body with reply_to, stored as a reply in that thread', async () => {
    const root = await runCli(['send', '--session', session.id, '--as', bot().name, 'deploy at noon?'], {
      RABBITMQ_URL: bot().url,
    });
    expect(root.code, root.stderr).to.equal(0);
    const rootId = sentId(root.stdout);
    await warren.stored({ id: rootId });

    // A queue of the test's own on the session's exchange sees the delivery as every consumer does.
    const connection = await amqp.connect(warren.urls.admin);
    try {
      const channel = await connection.createChannel();
      const { queue } = await channel.assertQueue('', { exclusive: true });
      await channel.bindQueue(queue, names.sessionExchange(session.id), '');
      const reply = await runCli(
        ['send', '--session', session.id, '--as', bot().name, '--reply-to', rootId.toUpperCase(), 'yes, at noon'],
        { RABBITMQ_URL: bot().url },
      );
      expect(reply.code, reply.stderr).to.equal(0);
      const replyId = sentId(reply.stdout);
      const delivery = await channel.get(queue, { noAck: true });
      if (delivery === false) expect.fail('the reply was not routed to the session exchange');
      expect(delivery.properties).to.include({ messageId: replyId, contentType: 'application/json' });
      expect(JSON.parse(delivery.content.toString('utf8'))).to.deep.equal({
        content: 'yes, at noon',
        reply_to: rootId,
      });
      expect(await warren.stored({ id: replyId })).to.deep.include({ content: 'yes, at noon', reply_to: rootId });
    } finally {
      await connection.close();
    }
  });

  it('exits 1 when --as names another user: the broker refuses that user_id, and the CLI says so', async () => {
    const chatApi = testConfig().users['chat-api'].name;
    const result = await runCli(['send', '--session', session.id, '--as', chatApi, 'I am chat-api'], {
      RABBITMQ_URL: bot().url,
    });
    expect(result.code).to.equal(1);
    expect(result.stderr).to.include(
      `warren: RabbitMQ refused user_id '${chatApi}': this connection is authenticated as '${bot().name}', and a publisher may only put its own user in user_id.`,
    );
    expect(result.stdout).to.equal('');
  });

  it('exits 1 naming the session when it does not exist', async () => {
    const missing = randomUUID();
    const result = await runCli(['send', '--session', missing, 'anyone there?'], { RABBITMQ_URL: bot().url });
    expect(result.code).to.equal(1);
    expect(result.stderr).to.include(`warren: session ${missing} does not exist`);
  });

  it('exits 1 naming the missing write permission when the user may not publish to sessions', async () => {
    const persister = testConfig().users.persister;
    const exchange = names.sessionExchange(session.id);
    const result = await runCli(['send', '--session', session.id, 'hello'], { RABBITMQ_URL: persister.url });
    expect(result.code).to.equal(1);
    expect(result.stderr).to.include(
      `RabbitMQ refused to let user '${persister.name}' publish to ${exchange}: it has no write permission on exchange '${exchange}'`,
    );
  });

  it('exits 1 when the broker cannot route the message (mandatory): an exchange bound to nothing', async () => {
    const lonely = randomUUID();
    const connection = await amqp.connect(warren.urls.admin);
    try {
      const channel = await connection.createChannel();
      await channel.assertExchange(names.sessionExchange(lonely), 'fanout', { durable: false, autoDelete: false });
      const result = await runCli(['send', '--session', lonely, 'into the void'], { RABBITMQ_URL: bot().url });
      expect(result.code).to.equal(1);
      expect(result.stderr).to.include('could not route the message');
      await channel.deleteExchange(names.sessionExchange(lonely));
    } finally {
      await connection.close();
    }
  });

  it('refuses what the persister would dead-letter before connecting', async () => {
    const result = await runCli(['send', '--session', session.id, '   '], {
      RABBITMQ_URL: 'amqp://nobody@127.0.0.1:1/',
    });
    expect(result.code).to.equal(1);
    expect(result.stderr).to.include('the message would be refused: content_empty');
    const invisible = await runCli(['send', '--session', session.id, '\u200b\u200d\u2060'], {
      RABBITMQ_URL: 'amqp://nobody@127.0.0.1:1/',
    });
    expect(invisible.code).to.equal(1);
    expect(invisible.stderr).to.include('the message would be refused: content_invisible');
  });

  it('says which variable or flag holds a bad URL, without echoing it', async () => {
    const fromEnv = await runCli(['send', '--session', session.id, 'hi'], { RABBITMQ_URL: 'http://bot:secret@host/' });
    expect(fromEnv.code).to.equal(1);
    expect(fromEnv.stderr).to.include('RABBITMQ_URL (or --url): must be a URL with scheme amqp: or amqps:');
    expect(fromEnv.stderr).not.to.include('secret');
    const fromFlag = await runCli(['send', '--session', session.id, '--url', 'not a url', 'hi']);
    expect(fromFlag.code).to.equal(1);
    expect(fromFlag.stderr).to.include('RABBITMQ_URL (or --url)');
  });

  it('says the login was refused for wrong credentials, and names an unreachable broker', async () => {
    const wrong = new URL(bot().url);
    wrong.password = 'wrong-password';
    const refused = await runCli(['send', '--session', session.id, 'hi'], { RABBITMQ_URL: wrong.toString() });
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.include(
      `RabbitMQ refused the login of user '${bot().name}': wrong user name or password`,
    );

    const away = await runCli(['send', '--session', session.id, 'hi'], {
      RABBITMQ_URL: inVhost('amqp://bot:secret@127.0.0.1:1/', warren.vhost),
    });
    expect(away.code).to.equal(1);
    expect(away.stderr).to.include('cannot connect to RabbitMQ at amqp://bot:***@127.0.0.1:1/');
  });

  it('refuses a session id that is not a UUID, pointing at --help', async () => {
    const result = await runCli(['send', '--session', 'general', 'hi']);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.include("option '--session <id>' argument 'general' is invalid. must be a UUID.");
    expect(result.stderr).to.include('--help');
  });
});
