import { randomUUID } from 'node:crypto';
import { names } from '@warren/shared/amqp';
import { newMessageId } from '@warren/shared/envelope';
import { ManagementClient } from '@warren/shared/management';
import { testConfig } from '@warren/shared/testing';
import { expect } from 'chai';
import { publishRaw } from '../../test/amqp/support/publish.ts';
import { useOwnedSession, useWarren } from '../../test/support/warren.ts';
import { RunningCli, runCli } from './support/cli.ts';

/** What `warren tail` prints once its queue is bound: from then on it sees everything published. */
const READY = /^tailing warren\.session\./;

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
