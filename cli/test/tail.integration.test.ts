import { randomUUID } from 'node:crypto';
import { names } from '@warren/shared/amqp';
import { encodeSessionEvent, newChangeId, newMessageId } from '@warren/shared/envelope';
import { ManagementClient } from '@warren/shared/management';
import { testConfig } from '@warren/shared/testing';
import { expect } from 'chai';
import { publishRaw } from '../../test/amqp/support/publish.ts';
import { useOwnedSession, useWarren } from '../../test/support/warren.ts';
import { RunningCli, runCli } from './support/cli.ts';

/** What `warren tail` prints once its queue is bound: from then on it sees everything published. */
const READY = /^tailing warren\.session\./;

/** A line that ends with exactly this text. */
const endingWith = (text: string): RegExp => new RegExp(`${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);

describe('warren tail', () => {
  const warren = useWarren();
  const session = useOwnedSession(warren);
  const bot = () => testConfig().users.bot;

  it("prints a session's live traffic decoded by the envelope rules: users, bots, unverified messages and refusals", async () => {
    const tail = RunningCli.start(['tail', '--session', session.id]);
    try {
      await tail.line('stderr', READY);
      const posted = await warren.api(session.owner, 'POST', `/api/sessions/${session.id}/messages`, {
        content: 'hello, tail',
      });
      expect(posted.status).to.equal(202);
      await tail.line('stdout', new RegExp(`  ${session.owner.username}: hello, tail$`));

      await publishRaw(bot().url, names.sessionExchange(session.id), 'deploy finished', {
        messageId: newMessageId(),
        userId: bot().name,
      });
      await tail.line('stdout', new RegExp(`  bot ${bot().name}: deploy finished$`));

      await new ManagementClient(testConfig().managementUrl).request(
        'POST',
        `/exchanges/${encodeURIComponent(warren.vhost)}/${encodeURIComponent(names.sessionExchange(session.id))}/publish`,
        { properties: {}, routing_key: '', payload: 'Maintenance at 18:00', payload_encoding: 'string' },
      );
      await tail.line('stdout', / {2}unverified \(no user_id\): Maintenance at 18:00$/);

      const broken = newMessageId();
      await publishRaw(bot().url, names.sessionExchange(session.id), '{"content":', {
        messageId: broken,
        contentType: 'application/json',
      });
      await tail.line('stdout', new RegExp(`refused ${broken}: invalid_json: .*\\(the persister dead-letters it\\)$`));
      await warren.deadLettered(broken);

      const ended = await tail.stop('SIGINT');
      expect(ended.code, ended.stderr).to.equal(0);
    } finally {
      tail.child.kill('SIGKILL');
    }
  });

  it('prints replies, edits, reactions and deletes readably, and a forged edit as refused', async () => {
    const exchange = names.sessionExchange(session.id);
    const chatApi = testConfig().users['chat-api'];
    /** Publishes a change event as chat-api does: its own AMQP user (trusted), a UUIDv7 change id. */
    const publishChange = async (event: Parameters<typeof encodeSessionEvent>[0]['event'], data: object) => {
      const out = encodeSessionEvent({
        sessionId: session.id,
        event,
        data,
        publisher: chatApi.name,
        messageId: newChangeId(),
      });
      const outcome = await publishRaw(warren.urls['chat-api'], out.exchange, out.content, out.options);
      expect(outcome.confirmed, event).to.equal(true);
    };
    const tail = RunningCli.start(['tail', '--session', session.id]);
    try {
      await tail.line('stderr', READY);
      const posted = await warren.api(session.owner, 'POST', `/api/sessions/${session.id}/messages`, {
        content: 'ship it?',
      });
      expect(posted.status).to.equal(202);
      const root: string = posted.body.message.id;
      await tail.line('stdout', endingWith(`  ${session.owner.username}: ship it?`));

      await publishRaw(
        bot().url,
        exchange,
        JSON.stringify({ content: 'tests are green', reply_to: root.toUpperCase() }),
        {
          messageId: newMessageId(),
          userId: bot().name,
          contentType: 'application/json',
        },
      );
      await tail.line('stdout', endingWith(`  bot ${bot().name} ↳ reply to ${root.slice(-12)}: tests are green`));

      const target = { session_id: session.id, message_id: root };
      const user = { id: session.owner.id, username: session.owner.username };
      await publishChange('message.edited', { ...target, content: 'ship it!', edited_at: '2026-01-01T12:00:01.000Z' });
      await tail.line('stdout', endingWith(`2026-01-01T12:00:01.000Z  ✎ edited ${root}: ship it!`));
      await publishChange('reaction.added', { ...target, emoji: '👍', user });
      await tail.line('stdout', endingWith(`  +👍 ${session.owner.username} on ${root}`));
      await publishChange('reaction.removed', { ...target, emoji: '👍', user });
      await tail.line('stdout', endingWith(`  −👍 ${session.owner.username} on ${root}`));

      const forged = newMessageId();
      await publishRaw(
        bot().url,
        exchange,
        JSON.stringify({ ...target, content: 'pwned', edited_at: '2026-01-01T12:00:02Z' }),
        {
          messageId: forged,
          userId: bot().name,
          type: 'message.edited',
          contentType: 'application/json',
        },
      );
      await tail.line(
        'stdout',
        new RegExp(`refused ${forged}: untrusted_event: .*\\(the persister dead-letters it\\)$`),
      );
      expect((await warren.deadLettered(forged)).reason).to.equal('untrusted_event');

      await publishChange('message.deleted', { ...target, deleted_at: '2026-01-01T12:00:03.000Z' });
      await tail.line('stdout', endingWith(`2026-01-01T12:00:03.000Z  ✗ message ${root} deleted`));
      expect(tail.stdout).not.to.include('pwned');

      const ended = await tail.stop('SIGINT');
      expect(ended.code, ended.stderr).to.equal(0);
    } finally {
      tail.child.kill('SIGKILL');
    }
  });

  it('with --json prints one frame per delivery, shaped like the ws-gateway frames, and --count ends it', async () => {
    const tail = RunningCli.start(['tail', '--session', session.id, '--json', '--count', '2']);
    await tail.line('stderr', READY);
    const first = newMessageId();
    await publishRaw(bot().url, names.sessionExchange(session.id), 'one', { messageId: first, userId: bot().name });
    await publishRaw(bot().url, names.sessionExchange(session.id), '   ', { messageId: newMessageId() });
    const result = await tail.exited;
    expect(result.code, result.stderr).to.equal(0);
    const [message, refused] = tail.jsonLines() as [Record<string, unknown>, Record<string, unknown>];
    expect(message).to.deep.include({ type: 'message', session_id: session.id });
    expect(message.message).to.deep.include({
      id: first,
      session_id: session.id,
      author: { kind: 'bot', name: bot().name },
      content: 'one',
      type: 'text',
      extra: null,
    });
    expect(refused).to.deep.include({ type: 'refused', session_id: session.id, code: 'content_empty' });
  });

  it('shows an extra nested thousands of levels deep as refused (extra_too_deep) and goes on', async () => {
    const tail = RunningCli.start(['tail', '--session', session.id, '--json', '--count', '2']);
    await tail.line('stderr', READY);
    const deep = `{"content":"deep","extra":${'{"a":'.repeat(10_000)}{}${'}'.repeat(10_000)}}`;
    await publishRaw(bot().url, names.sessionExchange(session.id), deep, {
      messageId: newMessageId(),
      userId: bot().name,
      contentType: 'application/json',
    });
    const next = newMessageId();
    await publishRaw(bot().url, names.sessionExchange(session.id), 'next', { messageId: next, userId: bot().name });
    const result = await tail.exited;
    expect(result.code, result.stderr).to.equal(0);
    const [refused, message] = tail.jsonLines() as [Record<string, unknown>, { message: Record<string, unknown> }];
    expect(refused).to.deep.include({ type: 'refused', session_id: session.id, code: 'extra_too_deep' });
    expect(message.message).to.deep.include({ id: next, content: 'next' });
  });

  it('ends when the session is deleted', async () => {
    const doomed = await warren.createSession(session.owner);
    const tail = RunningCli.start(['tail', '--session', doomed]);
    await tail.line('stderr', READY);
    expect((await warren.api(session.owner, 'DELETE', `/api/sessions/${doomed}`)).status).to.equal(204);
    const result = await tail.exited;
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.match(/event session\.deleted/);
    expect(result.stderr).to.include(`session ${doomed} was deleted`);
  });

  it('exits 1 naming the permission a producer user lacks: producers cannot read', async () => {
    const result = await runCli(['tail', '--session', session.id], { RABBITMQ_URL: bot().url });
    expect(result.code).to.equal(1);
    expect(result.stderr).to.match(
      new RegExp(
        `RabbitMQ refused to let user '${bot().name}' declare its own queue: it has no configure permission on queue 'amq\\.gen-`,
      ),
    );
  });

  it('exits 1 naming the session when it does not exist', async () => {
    const missing = randomUUID();
    const result = await runCli(['tail', '--session', missing]);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.include(`warren: session ${missing} does not exist`);
  });
});
