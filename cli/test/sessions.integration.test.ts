import { names } from '@warren/shared/amqp';
import { expect } from 'chai';
import { useWarren } from '../../test/support/warren.ts';
import { runCli } from './support/cli.ts';

describe('warren sessions', () => {
  const warren = useWarren();

  it('lists sessions with their exchange names, most recently active first', async () => {
    const owner = await warren.register('owner');
    const member = await warren.register('member');
    const older = await warren.createSession(owner);
    const newer = await warren.createSession(owner, [member]);

    const table = await runCli(['sessions', '--limit', '1000']);
    expect(table.code, table.stderr).to.equal(0);
    const lines = table.stdout.split('\n');
    const newerLine = lines.findIndex((line) => line.startsWith(names.sessionExchange(newer)));
    const olderLine = lines.findIndex((line) => line.startsWith(names.sessionExchange(older)));
    expect(newerLine).to.be.within(0, olderLine - 1);
    expect(lines[newerLine]).to.match(/ group +private +2 members {2}session_/);

    const json = await runCli(['sessions', '--json', '--limit', '1000']);
    expect(json.code, json.stderr).to.equal(0);
    const listed = JSON.parse(json.stdout).find((session: { id: string }) => session.id === newer);
    expect(listed).to.deep.include({
      id: newer,
      exchange: names.sessionExchange(newer),
      kind: 'group',
      visibility: 'private',
      members: 2,
    });
  });

  it('counts a stored message as activity: the session it went to moves above newer ones', async () => {
    const owner = await warren.register('owner');
    const quiet = await warren.createSession(owner);
    const busy = await warren.createSession(owner);
    const newest = await warren.createSession(owner);
    const posted = await warren.api(owner, 'POST', `/api/sessions/${busy}/messages`, { content: 'news' });
    expect(posted.status).to.equal(202);
    await warren.stored({ id: posted.body.message.id });

    const json = await runCli(['sessions', '--json', '--limit', '1000']);
    expect(json.code, json.stderr).to.equal(0);
    const ids = JSON.parse(json.stdout).map((session: { id: string }) => session.id);
    const [busyAt, newestAt, quietAt] = [busy, newest, quiet].map((id) => ids.indexOf(id));
    expect(busyAt, 'the session with a message first').to.be.within(0, newestAt - 1);
    expect(newestAt, 'then by creation').to.be.within(0, quietAt - 1);
  });

  it('names a direct session after its members', async () => {
    const alice = await warren.register('alice');
    const bob = await warren.register('bob');
    const direct = await warren.api(alice, 'POST', '/api/direct', { username: bob.username });
    const json = await runCli(['sessions', '--json', '--limit', '1000']);
    const listed = JSON.parse(json.stdout).find((session: { id: string }) => session.id === direct.body.id);
    expect(listed).to.deep.include({ kind: 'direct', name: [alice.username, bob.username].sort().join(', ') });
  });

  it('names the database it cannot reach, and the variable or flag to fix', async () => {
    const result = await runCli(['sessions', '--database-url', 'postgres://nobody@127.0.0.1:1/warren']);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.include('cannot reach PostgreSQL at postgres://nobody@127.0.0.1:1/warren');
    expect(result.stderr).to.include('DATABASE_URL (or --database-url)');
  });
});
