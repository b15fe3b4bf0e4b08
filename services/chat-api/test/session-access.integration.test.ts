import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { type TestResponse, type TestUser, useChatApi } from './support/chat-api-harness.ts';

/** A query as knex announces it. */
interface AnnouncedQuery {
  sql: string;
  bindings?: readonly unknown[];
  __knexTxId?: string;
}

describe('chat-api access decisions', () => {
  const h = useChatApi();
  const [alice, bob, mallory] = h.users('alice', 'bob', 'mallory');
  let privateSession: string;
  let messageId: string;

  before(async () => {
    const created = await h.api(alice).post('/api/sessions', { name: 'hidden', members: [bob.username] });
    privateSession = created.body.id;
    messageId = (await h.say(alice, privateSession, 'secret')).id;
  });

  /** An id that names nothing, the same in every request so their queries compare whole. */
  const nothing = randomUUID();
  /** Every route that names a session, with what would be a valid request for a member. */
  const routes = (id: string): Array<[method: string, path: string, body?: unknown]> => [
    ['GET', `/api/sessions/${id}`],
    ['PATCH', `/api/sessions/${id}`, { name: 'taken over' }],
    ['DELETE', `/api/sessions/${id}`],
    ['POST', `/api/sessions/${id}/join`],
    ['POST', `/api/sessions/${id}/leave`],
    ['POST', `/api/sessions/${id}/members`, { username: bob.username }],
    ['DELETE', `/api/sessions/${id}/members/${nothing}`],
    ['GET', `/api/sessions/${id}/messages`],
    ['GET', `/api/sessions/${id}/messages?before=${messageId}`],
    ['GET', `/api/sessions/${id}/messages?after=${nothing}`],
    ['POST', `/api/sessions/${id}/messages`, { content: 'intrusion' }],
    ['POST', `/api/sessions/${id}/read`, { message_id: messageId }],
    ['POST', `/api/sessions/${id}/read`, { message_id: nothing }],
    ['POST', `/api/sessions/${id}/typing`],
  ];

  /**
   * The answer to one request and every query chat-api ran for it, the session id written `:id`;
   * writes of its copy of users (a `user.registered` of another test handled meanwhile) are left
   * out, they belong to no request.
   */
  const measure = async (user: TestUser, id: string, method: string, path: string, body: unknown) => {
    const announced: AnnouncedQuery[] = [];
    const record = (query: AnnouncedQuery) => announced.push(query);
    h.chat.db.on('query', record);
    let answer: TestResponse;
    try {
      const client = h.api(user);
      answer =
        method === 'GET'
          ? await client.get(path)
          : method === 'DELETE'
            ? await client.delete(path)
            : method === 'PATCH'
              ? await client.patch(path, body)
              : await client.post(path, body);
    } finally {
      h.chat.db.off('query', record);
    }
    const userWrites = new Set(
      announced
        .filter((query) => /^(insert into|delete from) "?chat"?\."?users/.test(query.sql))
        .map((query) => query.__knexTxId),
    );
    const queries = announced
      .filter((query) => query.__knexTxId === undefined || !userWrites.has(query.__knexTxId))
      .map((query) => `${query.sql} ${JSON.stringify(query.bindings ?? [])}`.replaceAll(id, ':id'));
    return {
      status: answer.status,
      contentType: answer.headers.get('content-type'),
      body: JSON.parse(JSON.stringify(answer.body).replaceAll(id, ':id')),
      queries,
    };
  };

  it('does the same database work, and answers the same, for a private session not yours as for none', async () => {
    const missing = randomUUID();
    const hidden = routes(privateSession);
    for (const [i, [method, path, body]] of routes(missing).entries()) {
      const [, hiddenPath, hiddenBody] = hidden[i] as [string, string, unknown?];
      const what = `${method} ${path.replace(missing, ':id')}`;
      const none = await measure(mallory, missing, method, path, body);
      const notYours = await measure(mallory, privateSession, method, hiddenPath, hiddenBody);
      expect(none.status, what).to.equal(404);
      expect(none.body.code, what).to.equal('SESSION_NOT_FOUND');
      expect(notYours, what).to.deep.equal(none);
      // One round trip decides: the session's lookup and the caller's membership are one query.
      expect(
        none.queries.filter((sql) => /\bsessions\b/.test(sql)),
        what,
      ).to.have.length(1);
    }
  });

  it('lets members and the owner through the same decision', async () => {
    const detail = await h.api(bob).get(`/api/sessions/${privateSession}`);
    expect(detail.status).to.equal(200);
    expect(detail.body.last_message.id).to.equal(messageId);
    const history = await h.api(bob).get(`/api/sessions/${privateSession}/messages`);
    expect(history.body.messages.map((m: { id: string }) => m.id)).to.deep.equal([messageId]);
    expect((await h.api(bob).post(`/api/sessions/${privateSession}/read`, { message_id: messageId })).status).to.equal(
      204,
    );
    const renamed = await h.api(alice).patch(`/api/sessions/${privateSession}`, { name: 'still hidden' });
    expect(renamed.status).to.equal(200);
    expect(renamed.body.name).to.equal('still hidden');
    const notOwner = await h.api(bob).patch(`/api/sessions/${privateSession}`, { name: 'mine' });
    expect(notOwner.status).to.equal(403);
    expect(notOwner.body.code).to.equal('NOT_THE_OWNER');
  });
});
