import { names } from '@warren/shared/amqp';
import type { ChatMessage } from '@warren/shared/envelope';
import { testConfig } from '@warren/shared/testing';
import type { ConsumeMessage } from 'amqplib';
import { expect } from 'chai';
import { asAdmin } from '../support/broker-admin.ts';
import { type TestResponse, type TestUser, useChatApi } from '../support/chat-api-harness.ts';
import { bodyOf, Tap } from '../support/tap.ts';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const CHANGE_EVENTS = ['message.edited', 'message.deleted', 'reaction.added', 'reaction.removed'];

/**
 * Edits, deletes, reactions and replies through chat-api (HTTP.md "Message changes"): the answers,
 * the events published on the session's exchange, and every refusal. No persister runs here: where
 * a test needs history to hold a change already applied (a tombstone, 50 emoji), it writes the
 * rows the persister would; applying the events end to end is the persister's and the system
 * tests' concern.
 */
describe('chat-api message changes', () => {
  const h = useChatApi();
  const [alice, bob, carol] = h.users('alice', 'bob', 'carol');

  /** A private session of Alice's with Bob. */
  const newSession = async (visibility: 'private' | 'public' = 'private') => {
    const created = await h.api(alice).post('/api/sessions', { members: [bob.username], visibility });
    expect(created.status).to.equal(201);
    return created.body.id as string;
  };
  const messagePath = (sessionId: string, messageId: string) => `/api/sessions/${sessionId}/messages/${messageId}`;
  const reactionPath = (sessionId: string, messageId: string, emoji: string) =>
    `${messagePath(sessionId, messageId)}/reactions/${encodeURIComponent(emoji)}`;
  const edit = (user: TestUser, sessionId: string, messageId: string, body: unknown) =>
    h.api(user).patch(messagePath(sessionId, messageId), body);
  const remove = (user: TestUser, sessionId: string, messageId: string) =>
    h.api(user).delete(messagePath(sessionId, messageId));
  const react = (user: TestUser, sessionId: string, messageId: string, emoji: string) =>
    h.api(user).put(reactionPath(sessionId, messageId, emoji));
  const unreact = (user: TestUser, sessionId: string, messageId: string, emoji: string) =>
    h.api(user).delete(reactionPath(sessionId, messageId, emoji));

  /** Runs `body` with a tap on the session's exchange, closed after. */
  async function tapping<T>(sessionId: string, body: (tap: Tap) => Promise<T>): Promise<T> {
    const tap = await Tap.open(names.sessionExchange(sessionId));
    try {
      return await body(tap);
    } finally {
      await tap.close();
    }
  }
  /** The change events the tap got, once everything published before now arrived. */
  const changesSeen = async (tap: Tap): Promise<ConsumeMessage[]> =>
    (await tap.settle()).filter((m) => CHANGE_EVENTS.includes(String(m.properties.type)));
  const expectProblem = (answer: TestResponse, status: number, code: string) => {
    expect(answer.status, JSON.stringify(answer.body)).to.equal(status);
    expect(answer.headers.get('content-type')).to.match(/^application\/problem\+json/);
    expect(answer.body.code).to.equal(code);
  };
  /** A change event's AMQP properties, as AMQP.md has chat-api publish them. */
  const expectChangeProperties = (event: ConsumeMessage, type: string) => {
    expect(event.properties).to.include({
      type,
      userId: testConfig().users['chat-api'].name,
      contentType: 'application/json',
      deliveryMode: 2,
    });
    expect(event.properties.messageId).to.match(UUID_V7);
  };

  describe('PATCH /api/sessions/:id/messages/:messageId (edit)', () => {
    it("publishes message.edited and answers 202 with the message as edited, the author's only", async () => {
      const sessionId = await newSession();
      const original = await h.say(alice, sessionId, 'helo', { type: 'note', extra: { x: 1 } });
      await tapping(sessionId, async (tap) => {
        const answer = await edit(alice, sessionId, original.id.toUpperCase(), { content: '  hello  ' });
        expect(answer.status, JSON.stringify(answer.body)).to.equal(202);
        const { message } = answer.body;
        expect(message).to.deep.equal({ ...original, content: 'hello', edited_at: message.edited_at });
        expect(Date.parse(message.edited_at)).to.be.at.least(Date.parse(original.created_at));

        const event = await tap.waitFor((m) => m.properties.type === 'message.edited');
        expectChangeProperties(event, 'message.edited');
        expect(event.properties.messageId).not.to.equal(original.id);
        expect(bodyOf(event)).to.deep.equal({
          session_id: sessionId,
          message_id: original.id,
          content: 'hello',
          edited_at: message.edited_at,
        });

        // A second edit's event id is greater: the persister applies the latest.
        expect((await edit(alice, sessionId, original.id, { content: 'hello!' })).status).to.equal(202);
        const events = (await changesSeen(tap)).map((m) => String(m.properties.messageId));
        expect(events).to.have.length(2);
        expect(events[1] && events[0] && events[1] > events[0]).to.equal(true);
      });
    });

    it('refuses bad content with 400 naming the field, never publishing', async () => {
      const sessionId = await newSession();
      const message = await h.say(alice, sessionId, 'to be edited');
      await tapping(sessionId, async (tap) => {
        const cases: [unknown, string][] = [
          [{ content: '   ' }, 'content'],
          [{ content: '' }, 'content'],
          [{ content: 'x'.repeat(4001) }, 'content'],
          [{ content: '\u200b\u200c\u200d\u2060' }, 'content'],
          [{ content: 'nul \u0000 inside' }, 'content'],
          [{ content: 7 }, 'content'],
          [{}, 'content'],
        ];
        for (const [body, field] of cases) {
          const answer = await edit(alice, sessionId, message.id, body);
          expectProblem(answer, 400, 'INVALID_REQUEST');
          expect(answer.body.errors.map((e: { field: string }) => e.field)).to.deep.equal([field]);
        }
        expect((await edit(alice, sessionId, message.id, { content: '🙂'.repeat(4000) })).status).to.equal(202);
        expect(await changesSeen(tap)).to.have.length(1);
      });
    });

    it('answers 403 to another member, 409 for a deleted message, 404 for one the session does not hold', async () => {
      const sessionId = await newSession();
      const otherSession = await newSession();
      const message = await h.say(alice, sessionId, 'mine');
      const elsewhere = await h.say(alice, otherSession, 'in another session');
      const deleted = await h.say(alice, sessionId, 'gone soon');
      await h.storeDeleted(deleted.id);
      await tapping(sessionId, async (tap) => {
        expectProblem(await edit(bob, sessionId, message.id, { content: 'his now' }), 403, 'NOT_THE_AUTHOR');
        expectProblem(await edit(alice, sessionId, deleted.id, { content: 'back' }), 409, 'MESSAGE_DELETED');
        const missing = crypto.randomUUID();
        const answers = {
          missing: await edit(alice, sessionId, missing, { content: 'x' }),
          elsewhere: await edit(alice, sessionId, elsewhere.id, { content: 'x' }),
        };
        expectProblem(answers.missing, 404, 'MESSAGE_NOT_FOUND');
        // Another session's message is answered as one that does not exist: the same problem.
        expect({ ...answers.elsewhere.body, detail: undefined }).to.deep.equal({
          ...answers.missing.body,
          detail: undefined,
        });
        expect(answers.elsewhere.body.detail).to.equal(answers.missing.body.detail.replace(missing, elsewhere.id));
        expectProblem(await edit(alice, sessionId, 'not-a-uuid', { content: 'x' }), 404, 'MESSAGE_NOT_FOUND');
        expectProblem(await edit(carol, sessionId, message.id, { content: 'x' }), 404, 'SESSION_NOT_FOUND');
        expect(await changesSeen(tap)).to.deep.equal([]);
      });
    });

    it('answers 503, never 202, when the broker does not confirm the edit', async () => {
      const sessionId = await newSession();
      const message = await h.say(alice, sessionId, 'unconfirmed');
      await asAdmin((channel) => channel.deleteExchange(names.sessionExchange(sessionId)));
      try {
        expectProblem(await edit(alice, sessionId, message.id, { content: 'lost' }), 503, 'BROKER_UNAVAILABLE');
        expectProblem(await react(alice, sessionId, message.id, '👍'), 503, 'BROKER_UNAVAILABLE');
        expectProblem(await remove(alice, sessionId, message.id), 503, 'BROKER_UNAVAILABLE');
      } finally {
        await h.chat.syncTopology();
      }
      expect((await edit(alice, sessionId, message.id, { content: 'found' })).status).to.equal(202);
    });
  });

  describe('DELETE /api/sessions/:id/messages/:messageId', () => {
    it('lets the author delete: message.deleted published, 202 with the tombstone', async () => {
      const sessionId = await newSession();
      const message = await h.say(alice, sessionId, 'regrettable', { extra: { a: 1 } });
      await h.storeReactions([{ messageId: message.id, user: bob, emoji: '👍' }]);
      await tapping(sessionId, async (tap) => {
        const answer = await remove(alice, sessionId, message.id);
        expect(answer.status, JSON.stringify(answer.body)).to.equal(202);
        const tombstone = answer.body.message;
        expect(tombstone).to.deep.equal({
          ...message,
          content: '',
          extra: {},
          reactions: [],
          deleted_at: tombstone.deleted_at,
        });
        expect(tombstone.deleted_at).to.be.a('string');
        const event = await tap.waitFor((m) => m.properties.type === 'message.deleted');
        expectChangeProperties(event, 'message.deleted');
        expect(bodyOf(event)).to.deep.equal({
          session_id: sessionId,
          message_id: message.id,
          deleted_at: tombstone.deleted_at,
        });
      });
    });

    it("lets the session's owner delete anyone's message, and no other member", async () => {
      const sessionId = await newSession();
      const bobs = await h.say(bob, sessionId, 'spam');
      const alices = await h.say(alice, sessionId, 'owner speaking');
      await tapping(sessionId, async (tap) => {
        expectProblem(await remove(bob, sessionId, alices.id), 403, 'NOT_THE_AUTHOR');
        expectProblem(await remove(carol, sessionId, alices.id), 404, 'SESSION_NOT_FOUND');
        const moderated = await remove(alice, sessionId, bobs.id);
        expect(moderated.status).to.equal(202);
        const events = await changesSeen(tap);
        expect(events.map((m) => bodyOf(m).message_id)).to.deep.equal([bobs.id]);
      });
    });

    it('answers a second delete 202 with the stored tombstone, publishing nothing once history holds it', async () => {
      const sessionId = await newSession();
      const message = await h.say(alice, sessionId, 'twice');
      const deletedAt = new Date('2026-01-02T03:04:05.678Z');
      await h.storeDeleted(message.id, deletedAt);
      await tapping(sessionId, async (tap) => {
        const again = await remove(alice, sessionId, message.id);
        expect(again.status).to.equal(202);
        expect(again.body.message).to.deep.include({
          id: message.id,
          content: '',
          deleted_at: deletedAt.toISOString(),
        });
        expect(await changesSeen(tap)).to.deep.equal([]);
      });
      expectProblem(await remove(alice, sessionId, crypto.randomUUID()), 404, 'MESSAGE_NOT_FOUND');
      expectProblem(await remove(alice, sessionId, '123'), 404, 'MESSAGE_NOT_FOUND');
    });
  });

  describe('PUT and DELETE /api/sessions/:id/messages/:messageId/reactions/:emoji', () => {
    it('publishes reaction.added and reaction.removed, 204 each time, twice too', async () => {
      const sessionId = await newSession();
      const message = await h.say(alice, sessionId, 'react to me');
      await tapping(sessionId, async (tap) => {
        for (const emoji of ['👍', 'thumbsup', '👩‍💻', '🇫🇷', '❤️']) {
          const answer = await react(bob, sessionId, message.id, emoji);
          expect(answer.status, `${emoji}: ${JSON.stringify(answer.body)}`).to.equal(204);
          expect(answer.body).to.equal(undefined);
        }
        expect((await react(bob, sessionId, message.id, '👍')).status).to.equal(204);
        expect((await unreact(bob, sessionId, message.id, '👍')).status).to.equal(204);
        expect((await unreact(bob, sessionId, message.id, '👍')).status).to.equal(204);

        const events = await changesSeen(tap);
        expect(events.map((m) => [m.properties.type, bodyOf(m).emoji])).to.deep.equal([
          ['reaction.added', '👍'],
          ['reaction.added', 'thumbsup'],
          ['reaction.added', '👩‍💻'],
          ['reaction.added', '🇫🇷'],
          ['reaction.added', '❤️'],
          ['reaction.added', '👍'],
          ['reaction.removed', '👍'],
          ['reaction.removed', '👍'],
        ]);
        for (const event of events) expectChangeProperties(event, String(event.properties.type));
        expect(bodyOf(events[0] as ConsumeMessage)).to.deep.equal({
          session_id: sessionId,
          message_id: message.id,
          emoji: '👍',
          user: { id: bob.id, username: bob.username },
        });
        // Ids in the order of the requests: the persister applies an add then a remove in that order.
        const ids = events.map((m) => String(m.properties.messageId));
        expect(ids).to.deep.equal([...ids].sort());
      });
    });

    it('refuses an emoji with white space, control characters or over 32 code points with 400', async () => {
      const sessionId = await newSession();
      const message = await h.say(alice, sessionId, 'picky');
      await tapping(sessionId, async (tap) => {
        for (const emoji of [
          ' ',
          'thumbs up',
          'a\tb',
          'a\nb',
          '\u0000',
          '\u0007',
          '\u00a0',
          'x'.repeat(33),
          '👍'.repeat(33),
        ]) {
          for (const answer of [
            await react(bob, sessionId, message.id, emoji),
            await unreact(bob, sessionId, message.id, emoji),
          ]) {
            expectProblem(answer, 400, 'INVALID_REQUEST');
            expect(answer.body.errors).to.deep.equal([{ field: 'emoji', message: answer.body.errors[0].message }]);
          }
        }
        expect((await react(bob, sessionId, message.id, '👍'.repeat(32))).status).to.equal(204);
        expect(await changesSeen(tap)).to.have.length(1);
      });
    });

    it('answers 409 on a deleted message, 404 for a message not there, 403 to a non-member', async () => {
      const sessionId = await newSession('public');
      const message = await h.say(alice, sessionId, 'soon gone');
      const elsewhere = await h.say(alice, await newSession(), 'elsewhere');
      await h.storeDeleted(message.id);
      expectProblem(await react(bob, sessionId, message.id, '👍'), 409, 'MESSAGE_DELETED');
      expectProblem(await unreact(bob, sessionId, message.id, '👍'), 409, 'MESSAGE_DELETED');
      expectProblem(await react(bob, sessionId, elsewhere.id, '👍'), 404, 'MESSAGE_NOT_FOUND');
      expectProblem(await react(bob, sessionId, 'nope', '👍'), 404, 'MESSAGE_NOT_FOUND');
      expectProblem(await react(carol, sessionId, message.id, '👍'), 403, 'NOT_A_MEMBER');
    });

    it('refuses a 51st distinct emoji with 409, not one already there, nor one taken back', async () => {
      const sessionId = await newSession();
      const message = await h.say(alice, sessionId, 'popular');
      const emoji = Array.from({ length: 50 }, (_, i) => `e${i}`);
      await h.storeReactions([
        ...emoji.map((e) => ({ messageId: message.id, user: alice, emoji: e })),
        { messageId: message.id, user: bob, emoji: 'taken_back', present: false },
      ]);
      await tapping(sessionId, async (tap) => {
        const refused = await react(bob, sessionId, message.id, 'one_more');
        expectProblem(refused, 409, 'TOO_MANY_REACTIONS');
        expect((await react(bob, sessionId, message.id, 'e7')).status).to.equal(204);
        expect((await unreact(alice, sessionId, message.id, 'e8')).status).to.equal(204);
        expect((await changesSeen(tap)).map((m) => [m.properties.type, bodyOf(m).emoji])).to.deep.equal([
          ['reaction.added', 'e7'],
          ['reaction.removed', 'e8'],
        ]);
      });
      // Once a removal is applied, there is room again.
      await h.storeReactions([{ messageId: message.id, user: alice, emoji: 'e9', present: false }]);
      expect((await react(bob, sessionId, message.id, 'one_more')).status).to.equal(204);
    });
  });

  describe('POST /api/sessions/:id/messages with reply_to', () => {
    it('publishes and answers the root of the thread, a reply to a reply too', async () => {
      const sessionId = await newSession();
      const root = await h.say(alice, sessionId, 'root');
      await tapping(sessionId, async (tap) => {
        const reply = await h.say(bob, sessionId, 'reply', { reply_to: root.id.toUpperCase() });
        expect(reply).to.deep.include({
          reply_to: root.id,
          reply_count: 0,
          edited_at: null,
          deleted_at: null,
          reactions: [],
        });
        const nested = await h.say(alice, sessionId, 'reply to the reply', { reply_to: reply.id });
        expect(nested.reply_to).to.equal(root.id);
        const [first, second] = await Promise.all(
          [reply, nested].map((m) => tap.waitFor((d) => d.properties.messageId === m.id)),
        );
        expect(bodyOf(first as ConsumeMessage).reply_to).to.equal(root.id);
        expect(bodyOf(second as ConsumeMessage).reply_to).to.equal(root.id);
      });
      // A message that is no reply says so, in the answer and on the wire (no reply_to).
      expect(root.reply_to).to.equal(null);
    });

    it("answers 404 for a reply to another session's message exactly as to a missing one; 400 for no UUID", async () => {
      const sessionId = await newSession();
      const elsewhere = await h.say(alice, await newSession(), 'not here');
      const post = (body: object) => h.api(alice).post(`/api/sessions/${sessionId}/messages`, body);
      await tapping(sessionId, async (tap) => {
        const missing = crypto.randomUUID();
        const answers = [
          await post({ content: 'x', reply_to: missing }),
          await post({ content: 'x', reply_to: elsewhere.id }),
        ];
        for (const answer of answers) expectProblem(answer, 404, 'MESSAGE_NOT_FOUND');
        const [a, b] = answers.map((answer) => answer.body);
        expect({ ...b, detail: undefined }).to.deep.equal({ ...a, detail: undefined });
        expect(b.detail).to.equal(a.detail.replace(missing, elsewhere.id));
        for (const replyTo of ['not-a-uuid', 42, {}]) {
          const answer = await post({ content: 'x', reply_to: replyTo });
          expectProblem(answer, 400, 'INVALID_REQUEST');
          expect(answer.body.errors.map((e: { field: string }) => e.field)).to.deep.equal(['reply_to']);
        }
        expect((await tap.settle()).filter((m) => m.properties.type === 'message')).to.deep.equal([]);
      });
    });
  });

  describe('the Message everywhere chat-api answers one', () => {
    it('carries reply_count, reactions with me (most reacted first), edited_at and tombstones', async () => {
      const sessionId = await newSession('public');
      const word = `w${crypto.randomUUID().replaceAll('-', '')}`;
      const root = await h.say(alice, sessionId, `root ${word}`);
      await h.say(bob, sessionId, 'one', { reply_to: root.id });
      const last = await h.say(bob, sessionId, 'two', { reply_to: root.id });
      const gone = await h.say(alice, sessionId, 'gone');
      await h.storeReactions([
        { messageId: root.id, user: alice, emoji: '🎉' },
        { messageId: root.id, user: alice, emoji: '👍' },
        { messageId: root.id, user: bob, emoji: '👍' },
        { messageId: root.id, user: bob, emoji: '👎', present: false },
        { messageId: last.id, user: alice, emoji: '❤️' },
      ]);
      await h.db.raw('update history.messages set edited_at = ?, content = ? where id = ?', [
        new Date('2026-03-04T05:06:07.089Z'),
        'one, edited',
        last.id,
      ]);
      await h.storeDeleted(gone.id);

      const page = await h.api(bob).get(`/api/sessions/${sessionId}/messages`);
      expect(page.status).to.equal(200);
      const byId = new Map<string, ChatMessage>(page.body.messages.map((m: ChatMessage) => [m.id, m]));
      expect(byId.get(root.id)).to.deep.include({
        reply_to: null,
        reply_count: 2,
        reactions: [
          { emoji: '👍', count: 2, me: true },
          { emoji: '🎉', count: 1, me: false },
        ],
      });
      expect(byId.get(last.id)).to.deep.include({
        reply_to: root.id,
        reply_count: 0,
        content: 'one, edited',
        edited_at: '2026-03-04T05:06:07.089Z',
        reactions: [{ emoji: '❤️', count: 1, me: false }],
      });
      expect(byId.get(gone.id)).to.deep.include({ content: '', extra: {}, reactions: [] });
      expect(byId.get(gone.id)?.deleted_at).to.be.a('string');

      // Search results, the session's last message, and the idempotent retry of a stored message, alike.
      const found = await h.api(bob).get(`/api/search?${new URLSearchParams({ q: word })}`);
      expect(found.body.messages).to.deep.equal([byId.get(root.id)]);
      const session = (await h.api(alice).get(`/api/sessions/${sessionId}`)).body;
      expect(session.last_message).to.deep.equal({ ...byId.get(gone.id) });
      const listed = (await h.api(bob).get('/api/sessions')).body.sessions.find(
        (s: { id: string }) => s.id === sessionId,
      );
      expect(listed.last_message.deleted_at).to.equal(byId.get(gone.id)?.deleted_at);
      const retried = await h
        .api(alice)
        .post(`/api/sessions/${sessionId}/messages`, { content: `root ${word}`, id: root.id });
      expect(retried.status).to.equal(202);
      expect(retried.body.message).to.deep.equal({
        ...byId.get(root.id),
        reactions: [
          { emoji: '👍', count: 2, me: true },
          { emoji: '🎉', count: 1, me: true },
        ],
      });
    });

    it('reads the details of a whole page in at most two queries', async () => {
      const sessionId = await newSession();
      for (let i = 0; i < 5; i += 1) {
        const said = await h.say(alice, sessionId, `message ${i}`);
        await h.storeReactions([{ messageId: said.id, user: bob, emoji: `r${i}` }]);
      }
      const queries: string[] = [];
      const record = (query: { sql: string }) => {
        if (/\b(reactions|reply_to = any)\b/.test(query.sql)) queries.push(query.sql);
      };
      h.chat.db.on('query', record);
      try {
        const page = await h.api(bob).get(`/api/sessions/${sessionId}/messages`);
        expect(page.body.messages.map((m: ChatMessage) => m.reactions.length)).to.deep.equal([1, 1, 1, 1, 1]);
      } finally {
        h.chat.db.off('query', record);
      }
      expect(queries).to.have.length(2);
    });
  });
});
