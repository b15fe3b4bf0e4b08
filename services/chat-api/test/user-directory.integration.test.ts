import { randomUUID } from 'node:crypto';
import { eventKeys, exchanges } from '@warren/shared/amqp';
import { expect } from 'chai';
import { publishAsAdmin } from './support/broker-admin.ts';
import { uniqueUsername, useChatApi } from './support/chat-api-harness.ts';

describe('chat-api copy of users', () => {
  const h = useChatApi();
  const [alice] = h.users('alice');

  /** Resolves when chat-api has written this user to its copy. */
  const remembered = (match: (user: { id: string; username: string }) => boolean) =>
    new Promise<void>((resolve) => {
      const listener = (user: { id: string; username: string }) => {
        if (!match(user)) return;
        h.chat.users.off('remembered', listener);
        resolve();
      };
      h.chat.users.on('remembered', listener);
    });
  const search = async (q: string) =>
    (await h.api(alice).get(`/api/users?q=${encodeURIComponent(q)}`)).body.users.map(
      (u: { username: string }) => u.username,
    );
  /** Publishes a user.registered as auth does (AMQP.md; the run's administrator stands in for auth). */
  const announce = (body: unknown) =>
    publishAsAdmin(exchanges.events.name, eventKeys.userRegistered, Buffer.from(JSON.stringify(body)), {
      messageId: randomUUID(),
      type: eventKeys.userRegistered,
      contentType: 'application/json',
      deliveryMode: 2,
      timestamp: Math.floor(Date.now() / 1000),
    });
  /** A user.registered for a new user named `username`. */
  const registered = (username: string) => ({
    user: { id: randomUUID(), username, created_at: new Date().toISOString() },
  });

  it('learns users from user.registered, so one who just registered can be added', async () => {
    const username = uniqueUsername('newcomer');
    const heard = remembered((user) => user.username === username);
    const { body: session } = await h.api(alice).post('/api/sessions', { name: 'welcome' });
    await announce(registered(username));
    await heard;
    const added = await h.api(alice).post(`/api/sessions/${session.id}/members`, { username });
    expect(added.status).to.equal(200);
    expect(added.body.member_count).to.equal(2);
  });

  it('learns a user it never heard of from their token', async () => {
    // Signed for, and never announced: as if their user.registered were lost.
    const stranger = h.issuer.user('stranger');
    const { body: session } = await h.api(alice).post('/api/sessions', { name: 'strangers' });
    const unknown = await h.api(alice).post(`/api/sessions/${session.id}/members`, { username: stranger.username });
    expect(unknown.status).to.equal(404);

    expect((await h.api(stranger).get('/api/sessions')).status).to.equal(200);
    const added = await h.api(alice).post(`/api/sessions/${session.id}/members`, { username: stranger.username });
    expect(added.status).to.equal(200);
  });

  it('gives a username to the newest user announced with it, whatever order events come in', async () => {
    const name = uniqueUsername('ghost');
    const [older, newer] = [randomUUID(), randomUUID()];
    const olderEvent = { user: { id: older, username: name, created_at: '2026-01-01T00:00:00.000Z' } };
    const newerEvent = { user: { id: newer, username: name.toUpperCase(), created_at: '2026-01-02T00:00:00.000Z' } };

    let heard = remembered((user) => user.id === older);
    await announce(olderEvent);
    await heard;
    heard = remembered((user) => user.id === newer);
    await announce(newerEvent);
    await heard;
    expect(await search(name)).to.deep.equal([name.toUpperCase()]);

    // A late copy of the older event changes nothing; a valid event after it is still handled.
    const marker = uniqueUsername('marker');
    heard = remembered((user) => user.username === marker);
    await announce(olderEvent);
    await announce({ not: 'an event' });
    await announce(registered(marker));
    await heard;
    expect(await search(name)).to.deep.equal([name.toUpperCase()]);
  });

  it('folds only ASCII letters: look-alike spellings (İ, the Kelvin sign) find nobody, in lookups and search', async () => {
    const name = uniqueUsername('kis');
    const id = randomUUID();
    const heard = remembered((user) => user.id === id);
    await announce({ user: { id, username: name, created_at: new Date().toISOString() } });
    await heard;
    // PostgreSQL lower-cases İ to i and JavaScript the Kelvin sign to k: neither may reach the user.
    const dotted = name.replace('i', '\u0130');
    const kelvin = name.replace('k', '\u212A');
    expect(await h.chat.users.findByUsername(name.toUpperCase())).to.deep.equal({ id, username: name });
    expect(await h.chat.users.findByUsername(dotted)).to.equal(undefined);
    expect(await h.chat.users.findByUsername(kelvin)).to.equal(undefined);
    expect(await h.chat.users.findByUsernames([dotted, name.toUpperCase(), kelvin])).to.deep.equal({
      found: [{ id, username: name }],
      missing: [dotted, kelvin],
    });
    expect(await search(name.toUpperCase())).to.deep.equal([name]);
    expect(await search(dotted)).to.deep.equal([]);
    expect(await search(kelvin)).to.deep.equal([]);
  });

  it('finds up to 20 users whose name starts with q, case-insensitively, wildcards taken literally', async () => {
    const prefix = `zz${Math.random().toString(36).slice(2, 7)}`;
    const names = Array.from({ length: 21 }, (_, i) => `${prefix}_${String(i).padStart(2, '0')}`);
    const pending = new Set(names);
    const heard = remembered((user) => pending.delete(user.username) && pending.size === 0);
    for (const name of names) await announce(registered(name));
    await heard;

    const found = await search(prefix.toUpperCase());
    expect(found).to.deep.equal(names.slice(0, 20));
    expect(await search(`${prefix}_1`)).to.deep.equal(names.slice(10, 20));
    expect(await search(`${prefix}%`)).to.deep.equal([]);
    expect(await search(`${prefix.slice(0, -1)}_`)).to.deep.equal([]);
  });
});
