import { names } from '@warren/shared/amqp';
import { expect } from 'chai';
import { type TestResponse, type TestUser, useChatApi } from './support/chat-api-harness.ts';
import { bodyOf, Tap } from './support/tap.ts';

describe('chat-api read markers of messages not stored yet', () => {
  const h = useChatApi();
  const [alice, bob] = h.users('alice', 'bob');

  /** Resolves after chat-api's next lookup of the message's `seq` has been answered (empty or not). */
  const lookedUp = (messageId: string) =>
    new Promise<void>((resolve) => {
      const listener = (_response: unknown, query: { sql: string; bindings?: unknown[] }) => {
        if (query.sql.includes('"seq"') && query.bindings?.includes(messageId)) {
          h.chat.db.off('query-response', listener);
          resolve();
        }
      };
      h.chat.db.on('query-response', listener);
    });
  const read = (user: TestUser, sessionId: string, messageId: string) =>
    h.api(user).post(`/api/sessions/${sessionId}/read`, { message_id: messageId });
  /** The answer, should it come before `first`: the request did not wait. */
  const answeredBefore = async (answer: Promise<TestResponse>, first: Promise<void>) =>
    Promise.race([answer, first.then(() => undefined)]);

  it('answers 204 to a read marker for a message stored while the request waits', async () => {
    const { body: session } = await h.api(alice).post('/api/sessions', { name: 'in flight', members: [bob.username] });
    const tap = await Tap.open(names.sessionExchange(session.id));
    try {
      const posted = await h.api(alice).post(`/api/sessions/${session.id}/messages`, { content: 'just sent' });
      expect(posted.status).to.equal(202);
      const messageId: string = posted.body.message.id;

      // The message is published and nowhere in history when Bob marks it read: it is stored after.
      const firstLookup = lookedUp(messageId);
      const marked = read(bob, session.id, messageId);
      const early = await answeredBefore(marked, firstLookup);
      expect(early, 'answered without waiting for the message').to.equal(undefined);
      await h.store(posted.body.message);
      const answer = await marked;
      expect(answer.status, JSON.stringify(answer.body)).to.equal(204);

      const event = await tap.waitFor((message) => message.properties.type === 'read');
      expect(bodyOf(event)).to.deep.equal({ session_id: session.id, user_id: bob.id, message_id: messageId });
      const listed = await h.api(bob).get('/api/sessions');
      expect(listed.body.sessions.find((s: { id: string }) => s.id === session.id).unread_count).to.equal(0);
    } finally {
      await tap.close();
    }
  });

  it('still answers 404 for a message never stored, once the wait (2 s by default) is over', async () => {
    const { body: session } = await h.api(alice).post('/api/sessions', { name: 'never', members: [bob.username] });
    const messageId = '0191d7a0-0000-7000-8000-00000000beef';
    let lookups = 0;
    const count = (_response: unknown, query: { sql: string; bindings?: unknown[] }) => {
      if (query.sql.includes('"seq"') && query.bindings?.includes(messageId)) lookups += 1;
    };
    h.chat.db.on('query-response', count);
    const started = performance.now();
    try {
      const answer = await read(bob, session.id, messageId);
      expect(answer.status).to.equal(404);
      expect(answer.body.code).to.equal('MESSAGE_NOT_FOUND');
    } finally {
      h.chat.db.off('query-response', count);
    }
    // It looked again and again until the bound, then answered: never sooner.
    expect(performance.now() - started).to.be.at.least(2000);
    expect(lookups).to.be.at.least(3);
  });

  it('keeps the marker where it is when an older message is marked after a newer one arrived', async () => {
    const { body: session } = await h.api(alice).post('/api/sessions', { name: 'order', members: [bob.username] });
    const older = await h.say(alice, session.id, 'older');
    const newer = await h.api(alice).post(`/api/sessions/${session.id}/messages`, { content: 'newer' });
    const firstLookup = lookedUp(newer.body.message.id);
    const markedNewer = read(bob, session.id, newer.body.message.id);
    expect(await answeredBefore(markedNewer, firstLookup)).to.equal(undefined);
    await h.store(newer.body.message);
    expect((await markedNewer).status).to.equal(204);
    expect((await read(bob, session.id, older.id)).status).to.equal(204);
    // Marked back at the older one, Bob would have the newer one unread.
    const listed = await h.api(bob).get('/api/sessions');
    expect(listed.body.sessions.find((s: { id: string }) => s.id === session.id).unread_count).to.equal(0);
  });
});
