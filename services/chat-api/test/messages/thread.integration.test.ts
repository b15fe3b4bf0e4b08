import type { ChatMessage } from '@warren/shared/envelope';
import { expect } from 'chai';
import { type TestResponse, type TestUser, useChatApi } from '../support/chat-api-harness.ts';

/**
 * `GET /api/sessions/:id/messages/:messageId/thread` over history as the persister stores it
 * (replies stored with their root as `reply_to`, written here through the harness).
 */
describe('chat-api threads (GET /api/sessions/:id/messages/:messageId/thread)', () => {
  const h = useChatApi();
  const [alice, bob, carol] = h.users('alice', 'bob', 'carol');

  const newSession = async (visibility: 'private' | 'public' = 'private') => {
    const created = await h.api(alice).post('/api/sessions', { members: [bob.username], visibility });
    expect(created.status).to.equal(201);
    return created.body.id as string;
  };
  const thread = (user: TestUser, sessionId: string, messageId: string, query: Record<string, string> = {}) =>
    h.api(user).get(`/api/sessions/${sessionId}/messages/${messageId}/thread?${new URLSearchParams(query)}`);
  const expectProblem = (answer: TestResponse, status: number, code: string) => {
    expect(answer.status, JSON.stringify(answer.body)).to.equal(status);
    expect(answer.body.code).to.equal(code);
  };
  /** A root and `count` replies to it, alternating authors, with a message outside the thread between. */
  async function threadOf(sessionId: string, count: number): Promise<{ root: ChatMessage; replies: ChatMessage[] }> {
    const root = await h.say(alice, sessionId, 'root');
    const replies: ChatMessage[] = [];
    for (let i = 0; i < count; i += 1) {
      replies.push(await h.say(i % 2 === 0 ? bob : alice, sessionId, `reply ${i}`, { reply_to: root.id }));
      if (i === 0) await h.say(alice, sessionId, 'not in the thread');
    }
    return { root, replies };
  }

  it('answers the root and its replies oldest first, each a whole Message', async () => {
    const sessionId = await newSession();
    const { root, replies } = await threadOf(sessionId, 3);
    await h.storeReactions([{ messageId: replies[1]?.id ?? '', user: bob, emoji: '👀' }]);

    const answer = await thread(bob, sessionId, root.id);
    expect(answer.status, JSON.stringify(answer.body)).to.equal(200);
    expect(answer.body).to.deep.equal({
      root: { ...root, reply_count: 3 },
      replies: replies.map((reply, i) =>
        i === 1 ? { ...reply, reactions: [{ emoji: '👀', count: 1, me: true }] } : reply,
      ),
      has_more: false,
    });
    const empty = await h.say(alice, sessionId, 'no replies');
    expect((await thread(bob, sessionId, empty.id)).body).to.deep.equal({ root: empty, replies: [], has_more: false });
  });

  it("answers a reply's thread as its root's", async () => {
    const sessionId = await newSession();
    const { root, replies } = await threadOf(sessionId, 2);
    const ofReply = await thread(alice, sessionId, replies[1]?.id ?? '');
    expect(ofReply.status).to.equal(200);
    expect(ofReply.body).to.deep.equal((await thread(alice, sessionId, root.id)).body);
  });

  it('pages with limit and after, without gaps or repeats', async () => {
    const sessionId = await newSession();
    const { root, replies } = await threadOf(sessionId, 5);
    const seen: string[] = [];
    let after: string | undefined;
    for (const expected of [true, true, false]) {
      const answer = await thread(bob, sessionId, root.id, { limit: '2', ...(after === undefined ? {} : { after }) });
      expect(answer.status).to.equal(200);
      expect(answer.body.root.id).to.equal(root.id);
      expect(answer.body.has_more).to.equal(expected);
      const ids = answer.body.replies.map((m: ChatMessage) => m.id);
      seen.push(...ids);
      after = ids.at(-1);
    }
    expect(seen).to.deep.equal(replies.map((m) => m.id));
    const all = await thread(bob, sessionId, root.id, { limit: '100' });
    expect(all.body.replies).to.have.length(5);
    expect(all.body.has_more).to.equal(false);
  });

  it('refuses bad queries with 400, unknown messages and cursors with 404, never a 500', async () => {
    const sessionId = await newSession();
    const { root } = await threadOf(sessionId, 1);
    const elsewhere = await h.say(alice, await newSession(), 'elsewhere');
    const bad: Record<string, string>[] = [{ limit: '0' }, { limit: '101' }, { limit: 'ten' }, { after: 'not-a-uuid' }];
    for (const query of bad) {
      expectProblem(await thread(alice, sessionId, root.id, query), 400, 'INVALID_REQUEST');
    }
    expectProblem(await thread(alice, sessionId, crypto.randomUUID()), 404, 'MESSAGE_NOT_FOUND');
    expectProblem(await thread(alice, sessionId, elsewhere.id), 404, 'MESSAGE_NOT_FOUND');
    expectProblem(await thread(alice, sessionId, 'not-a-uuid'), 404, 'MESSAGE_NOT_FOUND');
    expectProblem(await thread(alice, sessionId, root.id, { after: elsewhere.id }), 404, 'MESSAGE_NOT_FOUND');
  });

  it('is for members: 404 for a private session, 403 for a public one', async () => {
    const privateSession = await newSession();
    const publicSession = await newSession('public');
    const { root: privateRoot } = await threadOf(privateSession, 1);
    const { root: publicRoot } = await threadOf(publicSession, 1);
    expectProblem(await thread(carol, privateSession, privateRoot.id), 404, 'SESSION_NOT_FOUND');
    expectProblem(await thread(carol, publicSession, publicRoot.id), 403, 'NOT_A_MEMBER');
  });

  it('shows a deleted root as a tombstone, its replies still there', async () => {
    const sessionId = await newSession();
    const { root, replies } = await threadOf(sessionId, 2);
    await h.storeDeleted(root.id);
    const answer = await thread(bob, sessionId, replies[0]?.id ?? '');
    expect(answer.status).to.equal(200);
    expect(answer.body.root).to.deep.include({ id: root.id, content: '', extra: {}, reply_count: 2 });
    expect(answer.body.root.deleted_at).to.be.a('string');
    expect(answer.body.replies.map((m: ChatMessage) => m.id)).to.deep.equal(replies.map((m) => m.id));
  });
});
