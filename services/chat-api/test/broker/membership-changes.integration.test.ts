import { once } from 'node:events';
import { eventKeys, exchanges } from '@warren/shared/amqp';
import { ManagementClient } from '@warren/shared/management';
import { eventually, testConfig } from '@warren/shared/testing';
import { expect } from 'chai';
import type { ChatApiService } from '../../src/index.ts';
import type { MembershipCache } from '../../src/sessions/membership-cache.ts';
import { publishAsAdmin } from '../support/broker-admin.ts';
import { call, startTestChatApi, type TestUser, useChatApi } from '../support/chat-api-harness.ts';

/** Resolves when `cache` forgets `userId`'s membership of `sessionId`. */
const forgets = (cache: MembershipCache, sessionId: string, userId: string) =>
  new Promise<void>((resolve) => {
    const listener = (session: string, users: readonly string[]) => {
      if (session !== sessionId || !users.includes(userId)) return;
      cache.off('forgot', listener);
      resolve();
    };
    cache.on('forgot', listener);
  });

describe('chat-api membership cache across instances (membership.changed)', () => {
  const h = useChatApi();
  const [alice, bob, carol] = h.users('alice', 'bob', 'carol');
  /** A second instance on the same database and vhost: where the stale membership would be. */
  let other: ChatApiService;

  before(async () => {
    other = await startTestChatApi(h.issuer.url);
  });
  after(async () => {
    await other?.stop();
  });

  const postVia = (service: ChatApiService, user: TestUser, sessionId: string, content: string) =>
    call(`http://127.0.0.1:${service.port}/api/sessions/${sessionId}/messages`, 'POST', user.token, { content });
  const newSession = async (members: TestUser[]) => {
    const created = await h.api(alice).post('/api/sessions', { members: members.map((m) => m.username) });
    expect(created.status).to.equal(201);
    return created.body.id as string;
  };

  it('a member removed on one instance can no longer post on another that had them cached', async () => {
    const sessionId = await newSession([bob]);
    expect((await postVia(other, bob, sessionId, 'first')).status).to.equal(202);
    expect(other.membershipCache.has(sessionId, bob.id)).to.equal(true);

    const forgotten = forgets(other.membershipCache, sessionId, bob.id);
    expect((await h.api(alice).delete(`/api/sessions/${sessionId}/members/${bob.id}`)).status).to.equal(204);
    await forgotten;
    const refused = await postVia(other, bob, sessionId, 'after removal');
    expect(refused.status).to.equal(404);
    expect(refused.body.code).to.equal('SESSION_NOT_FOUND');
  });

  it('a member who leaves is forgotten by every instance, the one they left on first', async () => {
    const sessionId = await newSession([bob, carol]);
    for (const service of [h.chat, other])
      expect((await postVia(service, carol, sessionId, 'hi')).status).to.equal(202);
    const forgotten = forgets(other.membershipCache, sessionId, carol.id);
    expect((await h.api(carol).post(`/api/sessions/${sessionId}/leave`)).status).to.equal(204);
    expect(h.chat.membershipCache.has(sessionId, carol.id)).to.equal(false);
    await forgotten;
    for (const service of [h.chat, other]) {
      expect((await postVia(service, carol, sessionId, 'gone')).status, String(service.port)).to.equal(404);
    }
  });

  it('a deleted session is forgotten for all its members', async () => {
    const sessionId = await newSession([bob, carol]);
    for (const user of [alice, bob, carol]) expect((await postVia(other, user, sessionId, 'x')).status).to.equal(202);
    const forgotten = Promise.all(
      [alice, bob, carol].map((user) => forgets(other.membershipCache, sessionId, user.id)),
    );
    expect((await h.api(alice).delete(`/api/sessions/${sessionId}`)).status).to.equal(204);
    await forgotten;
    for (const user of [alice, bob, carol]) expect(other.membershipCache.has(sessionId, user.id)).to.equal(false);
  });

  it('ignores a membership.changed that chat-api did not publish', async () => {
    const sessionId = await newSession([bob]);
    expect((await postVia(other, bob, sessionId, 'cached')).status).to.equal(202);
    const forged = Buffer.from(JSON.stringify({ session_id: sessionId, user_ids: [bob.id] }));
    // Confirmed before the genuine change below is made, so the queue holds the forgery first.
    await publishAsAdmin(exchanges.events.name, eventKeys.membershipChanged, forged, {
      contentType: 'application/json',
    });
    const genuineSession = await newSession([carol]);
    expect((await postVia(other, carol, genuineSession, 'cached')).status).to.equal(202);
    const genuine = forgets(other.membershipCache, genuineSession, carol.id);
    expect((await h.api(alice).delete(`/api/sessions/${genuineSession}/members/${carol.id}`)).status).to.equal(204);
    await genuine;
    expect(other.membershipCache.has(sessionId, bob.id)).to.equal(true);
  });

  it('empties its cache when its connection is lost and uses it again once it consumes anew', async () => {
    const sessionId = await newSession([bob]);
    expect((await postVia(other, bob, sessionId, 'cached')).status).to.equal(202);
    const cache = other.membershipCache;
    const off = once(cache, 'reset').then(([enabled]) => enabled);
    const on = off.then(() => once(cache, 'reset')).then(([enabled]) => enabled);
    const management = new ManagementClient(testConfig().managementUrl);
    // Both instances' connections (one each): the management API lists a new connection only once
    // its first statistics are in, and `other` started moments ago.
    const mine = await eventually(async () => {
      const connections = await management.connections(testConfig().vhost);
      const found = connections.filter((c) => c.user === testConfig().users['chat-api'].name);
      return found.length >= 2 && found;
    });
    for (const connection of mine) await management.closeConnection(connection.name, 'test: connection lost');
    expect(await off).to.equal(false);
    expect(cache.size).to.equal(0);
    expect(await on).to.equal(true);
    expect(cache.has(sessionId, bob.id)).to.equal(false);
    const again = await eventually(async () => {
      const answer = await postVia(other, bob, sessionId, 'again');
      return answer.status === 202 && answer;
    });
    expect(again.status).to.equal(202);
    expect(cache.has(sessionId, bob.id)).to.equal(true);
  });
});
