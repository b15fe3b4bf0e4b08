import { exchanges, names } from '@warren/shared/amqp';
import { testConfig } from '@warren/shared/testing';
import { expect } from 'chai';
import { asAdmin } from './support/broker-admin.ts';
import { call, startTestChatApi, type TestUser, useChatApi } from './support/chat-api-harness.ts';
import { bodyOf, Tap } from './support/tap.ts';

describe('chat-api posting', () => {
  const h = useChatApi();
  const [alice, bob, carol] = h.users('alice', 'bob', 'carol');

  const newSession = async (members: TestUser[] = [bob]) => {
    const created = await h.api(alice).post('/api/sessions', { members: members.map((m) => m.username) });
    expect(created.status).to.equal(201);
    return created.body.id as string;
  };
  const post = (user: TestUser, sessionId: string, body: object | string) =>
    h.api(user).post(`/api/sessions/${sessionId}/messages`, body);

  it('publishes the envelope of AMQP.md to the session exchange and answers 202 with the message', async () => {
    const sessionId = await newSession();
    const tap = await Tap.open(names.sessionExchange(sessionId));
    try {
      const posted = await post(alice, sessionId, { content: '  hello  ', type: 'note.v1', extra: { mood: 'sunny' } });
      expect(posted.status).to.equal(202);
      const { message } = posted.body;
      expect(message).to.deep.include({
        session_id: sessionId,
        author: { kind: 'user', id: alice.id, username: alice.username },
        type: 'note.v1',
        content: 'hello',
        extra: { mood: 'sunny' },
      });
      expect(message.id).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

      const delivery = await tap.waitFor((m) => m.properties.messageId === message.id);
      expect(delivery.fields.exchange).to.equal(names.sessionExchange(sessionId));
      expect(delivery.properties).to.include({
        messageId: message.id,
        type: 'message',
        userId: testConfig().users['chat-api'].name,
        timestamp: Math.floor(Date.parse(message.created_at) / 1000),
        contentType: 'application/json',
        deliveryMode: 2,
      });
      expect(delivery.properties.headers).to.include({
        'x-warren-author-id': alice.id,
        'x-warren-author-name': alice.username,
      });
      expect(bodyOf(delivery)).to.deep.equal({
        content: 'hello',
        type: 'note.v1',
        extra: { mood: 'sunny' },
        created_at: message.created_at,
      });
    } finally {
      await tap.close();
    }
  });

  it('reaches members through their user exchange, stops reaching a removed one, never reaches others', async () => {
    const sessionId = await newSession();
    const [bobTap, carolTap] = await Promise.all([
      Tap.open(names.userExchange(bob.id), { declare: true }),
      Tap.open(names.userExchange(carol.id), { declare: true }),
    ]);
    try {
      const first = (await post(alice, sessionId, { content: 'for members' })).body.message;
      await bobTap.waitFor((m) => m.properties.messageId === first.id);
      expect((await carolTap.settle()).map((m) => m.properties.messageId)).not.to.include(first.id);

      expect((await h.api(alice).delete(`/api/sessions/${sessionId}/members/${bob.id}`)).status).to.equal(204);
      const second = (await post(alice, sessionId, { content: 'after Bob left' })).body.message;
      expect(second.id).to.be.a('string');
      expect((await bobTap.settle()).map((m) => m.properties.messageId)).not.to.include(second.id);
      expect((await carolTap.settle()).map((m) => m.properties.messageId)).not.to.include(second.id);
    } finally {
      await Promise.all([bobTap.close(), carolTap.close()]);
    }
  });

  it('refuses bad messages with 400 naming the field', async () => {
    const sessionId = await newSession();
    const cases: [object, string][] = [
      [{ content: '   ' }, 'content'],
      [{ content: 'x'.repeat(4001) }, 'content'],
      [{ content: 'hi', type: 'Not Valid' }, 'type'],
      [{ content: 'hi', extra: [1, 2] }, 'extra'],
      [{ content: 'hi', extra: { blob: 'x'.repeat(8 * 1024) } }, 'extra'],
      [{ content: 'hi', id: 'not-a-uuid' }, 'id'],
      [{ type: 'text' }, 'content'],
    ];
    for (const [body, field] of cases) {
      const answer = await post(alice, sessionId, body);
      expect(answer.status, field).to.equal(400);
      expect(answer.body.code).to.equal('INVALID_REQUEST');
      expect(answer.body.errors.map((e: { field: string }) => e.field)).to.include(field);
    }
    const emoji = await post(alice, sessionId, { content: '🙂'.repeat(4000) });
    expect(emoji.status).to.equal(202);
  });

  it('refuses an extra nested too deep and content with nothing visible with 400, never 500', async () => {
    const sessionId = await newSession();
    // Written as text: the test's own JSON.stringify must not be what overflows.
    const withExtraDepth = (depth: number) =>
      `{"content":"hi","extra":${'{"a":'.repeat(depth - 1)}{}${'}'.repeat(depth - 1)}}`;
    const cases: [string | object, string, string][] = [
      [withExtraDepth(17), 'extra', 'nests more than 16 levels'],
      [withExtraDepth(1250), 'extra', 'nests more than 16 levels'],
      [withExtraDepth(100_000), 'extra', 'nests more than 16 levels'],
      [{ content: '\u200b\u200c\u200d\u2060' }, 'content', 'no visible character'],
      [{ content: ' \u3164\ufe0f\u00ad ' }, 'content', 'no visible character'],
    ];
    for (const [body, field, message] of cases) {
      const answer = await post(alice, sessionId, body);
      expect(answer.status, field).to.equal(400);
      expect(answer.body.code).to.equal('INVALID_REQUEST');
      expect(answer.body.errors.map((e: { field: string }) => e.field)).to.deep.equal([field]);
      expect(answer.body.errors[0].message).to.include(message);
    }
    const deepest = await post(alice, sessionId, JSON.parse(withExtraDepth(16)));
    expect(deepest.status).to.equal(202);
    expect(deepest.body.message.extra).to.deep.equal(JSON.parse(withExtraDepth(16)).extra);
  });

  describe('when the broker cannot confirm', () => {
    it('answers 503, never 202, when the session exchange is gone', async () => {
      const sessionId = await newSession();
      await asAdmin((channel) => channel.deleteExchange(names.sessionExchange(sessionId)));
      const answer = await post(alice, sessionId, { content: 'into the void' });
      expect(answer.status).to.equal(503);
      expect(answer.body.code).to.equal('BROKER_UNAVAILABLE');
      expect(answer.headers.get('content-type')).to.match(/^application\/problem\+json/);
      // The broker closed the publishing channel; the next publish, once the exchange is back, works.
      await h.chat.syncTopology();
      expect((await post(alice, sessionId, { content: 'back again' })).status).to.equal(202);
    });

    it('answers 503 when the broker returns the message as unroutable', async () => {
      const sessionId = await newSession([]);
      await asAdmin((channel) => channel.unbindExchange(exchanges.messages.name, names.sessionExchange(sessionId), ''));
      const answer = await post(alice, sessionId, { content: 'nobody listens' });
      expect(answer.status).to.equal(503);
      expect(answer.body.code).to.equal('BROKER_UNAVAILABLE');
      await h.chat.syncTopology();
    });
  });

  describe('with a client id', () => {
    it('stores and publishes one message for the same id posted twice', async () => {
      const sessionId = await newSession();
      const id = crypto.randomUUID();
      const published: string[] = [];
      const record = (result: string, messageId: string) => {
        if (messageId === id) published.push(result);
      };
      h.chat.publisher.on('settled', record);
      try {
        const first = await post(alice, sessionId, { content: 'once', id: id.toUpperCase() });
        expect(first.status).to.equal(202);
        expect(first.body.message.id).to.equal(id);
        await h.store(first.body.message);
        const again = await post(alice, sessionId, { content: 'once', id });
        expect(again.status).to.equal(202);
        expect(again.body.message).to.deep.equal(first.body.message);
        expect(published).to.deep.equal(['confirmed']);
      } finally {
        h.chat.publisher.off('settled', record);
      }
      const history = await h.api(bob).get(`/api/sessions/${sessionId}/messages`);
      expect(history.body.messages.map((m: { id: string }) => m.id)).to.deep.equal([id]);
    });

    it('stores one message when the retry comes before the first is stored', async () => {
      const sessionId = await newSession();
      const id = crypto.randomUUID();
      const answers = await Promise.all([
        post(alice, sessionId, { content: 'racing', id }),
        post(alice, sessionId, { content: 'racing', id }),
      ]);
      expect(answers.map((a) => a.status)).to.deep.equal([202, 202]);
      // Whatever was published twice, the persister keeps once.
      for (const answer of answers) await h.store(answer.body.message);
      const history = await h.api(alice).get(`/api/sessions/${sessionId}/messages`);
      expect(history.body.messages.map((m: { id: string }) => m.id)).to.deep.equal([id]);
    });

    it('answers 409 when another author or session already used the id', async () => {
      const sessionId = await newSession();
      const id = crypto.randomUUID();
      const mine = await post(alice, sessionId, { content: 'mine', id });
      expect(mine.status).to.equal(202);
      await h.store(mine.body.message);
      const byBob = await post(bob, sessionId, { content: 'mine too', id });
      expect(byBob.status).to.equal(409);
      expect(byBob.body.code).to.equal('MESSAGE_ID_TAKEN');
      const elsewhere = await post(alice, await newSession(), { content: 'moved', id });
      expect(elsewhere.status).to.equal(409);
    });
  });

  it('costs no database round trip for a known member posting without an id, one with an id', async () => {
    const sessionId = await newSession();
    const queries: string[] = [];
    const record = (query: { sql: string }) => {
      // A user.registered of another test handled meanwhile belongs to no post.
      if (!/\busers\b/.test(query.sql)) queries.push(query.sql);
    };
    h.chat.db.on('query', record);
    try {
      expect((await post(alice, sessionId, { content: 'first' })).status).to.equal(202);
      expect(queries, 'the first post asks').to.have.length(1);
      expect((await post(alice, sessionId, { content: 'no id' })).status).to.equal(202);
      expect(queries, 'a known member does not').to.have.length(1);
      const stored = await post(alice, sessionId, { content: 'with id', id: crypto.randomUUID() });
      expect(stored.status).to.equal(202);
      expect(queries, 'an id is looked up').to.have.length(2);
      await h.store(stored.body.message);
      const again = await post(alice, sessionId, { content: 'with id', id: stored.body.message.id });
      expect(again.body.message).to.deep.equal(stored.body.message);
      // A retry of a stored message answers it as history shows it: its replies and its reactions.
      expect(queries, 'a stored retry reads its details').to.have.length(5);
    } finally {
      h.chat.db.off('query', record);
    }
  });

  it('refuses a non-member for their access before their body', async () => {
    const privateSession = await newSession();
    const publicSession = (await h.api(alice).post('/api/sessions', { visibility: 'public' })).body.id as string;
    const bad = { content: '', id: 'not-a-uuid' };
    expect((await post(carol, privateSession, bad)).body.code).to.equal('SESSION_NOT_FOUND');
    expect((await post(carol, publicSession, bad)).body.code).to.equal('NOT_A_MEMBER');
    expect((await post(alice, publicSession, bad)).status).to.equal(400);
  });

  it('limits posting per user: a burst over the limit gets 429 with Retry-After', async () => {
    const limited = await startTestChatApi(h.issuer.url, { POST_RATE_PER_SEC: '1', POST_BURST: '3' });
    try {
      const sessionId = await newSession();
      const url = `http://127.0.0.1:${limited.port}/api/sessions/${sessionId}/messages`;
      const statuses: number[] = [];
      let refused: Awaited<ReturnType<typeof call>> | undefined;
      for (let i = 0; i < 4; i += 1) {
        const answer = await call(url, 'POST', alice.token, { content: `burst ${i}` });
        statuses.push(answer.status);
        if (answer.status === 429) refused = answer;
      }
      expect(statuses).to.deep.equal([202, 202, 202, 429]);
      expect(refused?.body.code).to.equal('TOO_MANY_MESSAGES');
      expect(refused?.headers.get('retry-after')).to.equal('1');
      // Another user has an allowance of their own.
      expect((await call(url, 'POST', bob.token, { content: 'my turn' })).status).to.equal(202);
    } finally {
      await limited.stop();
    }
  });
});
