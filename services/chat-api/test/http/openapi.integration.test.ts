import { OpenApiAnswers, routesOf } from '@warren/shared/testing';
import { expect } from 'chai';
import { apiRoutes } from '../../src/http/api-routes.ts';
import { OPENAPI_PATH } from '../../src/http/openapi.ts';
import type { RouteDeps } from '../../src/http/route-deps.ts';
import { call, type TestUser, useChatApi } from '../support/chat-api-harness.ts';

describe('chat-api OpenAPI document (GET /api/openapi.json) against real answers', () => {
  // A small burst, so one user reaches the 429 in a few posts; the others post fewer.
  const h = useChatApi({ POST_RATE_PER_SEC: '1', POST_BURST: '8' });
  const [owner, member, stranger, spammer] = h.users('owner', 'member', 'stranger', 'spammer');
  let answers: OpenApiAnswers;
  let groupId: string;
  let publicId: string;

  /** Calls chat-api as `user`, the answer checked against the document. */
  const as = (user: TestUser | undefined) => ({
    get: (path: string) => answers.call('GET', path, user && { token: user.token }),
    post: (path: string, body?: unknown) => answers.call('POST', path, { ...(user && { token: user.token }), body }),
    patch: (path: string, body: unknown) => answers.call('PATCH', path, { ...(user && { token: user.token }), body }),
    put: (path: string) => answers.call('PUT', path, user && { token: user.token }),
    delete: (path: string) => answers.call('DELETE', path, user && { token: user.token }),
  });

  /** Posts through the document's check, and stores the message as the persister would. */
  async function say(user: TestUser, sessionId: string, content: string, more: object = {}) {
    const posted = await as(user).post(`/api/sessions/${sessionId}/messages`, { ...more, content });
    expect(posted.status, JSON.stringify(posted.body)).to.equal(202);
    await h.store(posted.body.message);
    return posted.body.message as { id: string };
  }

  it('is served unauthenticated and is a valid OpenAPI 3.1 document', async () => {
    const served = await call(`${h.baseUrl}${OPENAPI_PATH}`, 'GET', undefined);
    expect(served.status).to.equal(200);
    expect(served.body.openapi).to.equal('3.1.0');
    answers = await OpenApiAnswers.of(served.body, () => h.baseUrl);
    await answers.call('GET', OPENAPI_PATH);
  });

  it('documents every route of HTTP.md’s chat-api tables and of every service', () => {
    const documented = answers.documented();
    for (const route of [
      'POST /api/sessions/{id}/messages',
      'PATCH /api/sessions/{id}/messages/{messageId}',
      'DELETE /api/sessions/{id}/messages/{messageId}',
      'PUT /api/sessions/{id}/messages/{messageId}/reactions/{emoji}',
      'DELETE /api/sessions/{id}/messages/{messageId}/reactions/{emoji}',
      'GET /api/sessions/{id}/messages/{messageId}/thread',
      'GET /api/search',
      'GET /api/presence',
      'GET /healthz',
      'GET /readyz',
      'GET /metrics',
    ]) {
      expect(documented).to.include(route);
    }
    expect(documented.size).to.equal(27);
  });

  it('documents every route the API router has, and no other', () => {
    // Made only to be read: no request reaches these stand-ins.
    const router = apiRoutes(
      {} as RouteDeps,
      { verify: () => Promise.reject(new Error('unused')) },
      {
        denyList: { ready: true },
        rebuild: { tryNow: () => Promise.resolve() },
      },
    );
    const service = ['GET /healthz', 'GET /readyz', 'GET /metrics'];
    expect([...routesOf(router, '/api'), ...service].sort()).to.deep.equal([...answers.documented()].sort());
  });

  it('sessions: create, list, search, detail, change, and their refusals', async () => {
    const created = await as(owner).post('/api/sessions', { name: 'doc group', members: [member.username] });
    expect(created.status).to.equal(201);
    groupId = created.body.id;
    const open = await as(owner).post('/api/sessions', { name: 'doc public', visibility: 'public' });
    publicId = open.body.id;
    expect((await as(owner).post('/api/sessions', { members: ['nobody_here'] })).body.code).to.equal('USER_NOT_FOUND');
    expect((await as(owner).post('/api/sessions', { visibility: 'secret' })).status).to.equal(400);
    expect((await as(owner).post('/api/sessions', '{')).body.code).to.equal('INVALID_JSON');

    expect((await as(owner).get('/api/sessions')).body.sessions.length).to.be.greaterThan(1);
    const hits = await as(stranger).get('/api/sessions/search?q=doc%20pub');
    expect(hits.body.sessions.map((hit: { id: string }) => hit.id)).to.include(publicId);
    expect((await as(owner).get('/api/sessions/search?q=%00')).status).to.equal(400);

    const detail = await as(owner).get(`/api/sessions/${groupId}`);
    expect(detail.body.members).to.have.length(2);
    expect((await as(stranger).get(`/api/sessions/${groupId}`)).body.code).to.equal('SESSION_NOT_FOUND');
    expect((await as(undefined).get(`/api/sessions/${groupId}`)).status).to.equal(401);

    expect((await as(owner).patch(`/api/sessions/${groupId}`, { name: 'doc group, renamed' })).status).to.equal(200);
    expect((await as(member).patch(`/api/sessions/${groupId}`, { name: 'mine' })).body.code).to.equal('NOT_THE_OWNER');
  });

  it('membership: join, members, direct sessions, leave, remove and delete', async () => {
    expect((await as(stranger).post(`/api/sessions/${publicId}/join`)).status).to.equal(200);
    expect((await as(stranger).post(`/api/sessions/${groupId}/join`)).body.code).to.equal('SESSION_NOT_FOUND');
    expect((await as(owner).post(`/api/sessions/${publicId}/members`, { username: spammer.username })).status).to.equal(
      200,
    );
    const direct = await as(owner).post('/api/direct', { username: member.username });
    expect(direct.body.kind).to.equal('direct');
    expect(
      (await as(owner).post(`/api/sessions/${direct.body.id}/members`, { username: stranger.username })).body.code,
    ).to.equal('DIRECT_SESSION');
    expect((await as(owner).post('/api/direct', { username: 'nobody_here' })).body.code).to.equal('USER_NOT_FOUND');

    expect((await as(stranger).post(`/api/sessions/${publicId}/leave`)).status).to.equal(204);
    expect((await as(stranger).post(`/api/sessions/${publicId}/leave`)).body.code).to.equal('NOT_A_MEMBER');
    expect((await as(owner).delete(`/api/sessions/${publicId}/members/${spammer.id}`)).status).to.equal(204);
    expect((await as(owner).delete(`/api/sessions/${publicId}/members/not-a-uuid`)).body.code).to.equal(
      'USER_NOT_FOUND',
    );
    const doomed = await as(owner).post('/api/sessions', { name: 'doc doomed' });
    expect((await as(owner).delete(`/api/sessions/${doomed.body.id}`)).status).to.equal(204);
  });

  it('messages: post, history, read, typing, thread, edit, reactions, delete and search', async () => {
    const first = await say(owner, groupId, 'the documented zebra');
    const reply = await say(member, groupId, 'a reply', { reply_to: first.id });
    expect((await as(owner).get(`/api/sessions/${groupId}/messages?limit=10`)).body.messages).to.have.length.at.least(
      2,
    );
    expect((await as(owner).get(`/api/sessions/${groupId}/messages?limit=0`)).status).to.equal(400);
    expect((await as(stranger).get(`/api/sessions/${publicId}/messages`)).body.code).to.equal('NOT_A_MEMBER');
    expect((await as(owner).post(`/api/sessions/${groupId}/messages`, { content: '  ' })).status).to.equal(400);

    expect((await as(member).post(`/api/sessions/${groupId}/read`, { message_id: first.id })).status).to.equal(204);
    expect((await as(member).post(`/api/sessions/${groupId}/typing`)).status).to.equal(204);

    const thread = await as(owner).get(`/api/sessions/${groupId}/messages/${first.id}/thread`);
    expect(thread.body.replies.map((message: { id: string }) => message.id)).to.deep.equal([reply.id]);
    expect((await as(owner).get(`/api/sessions/${groupId}/messages/${crypto.randomUUID()}/thread`)).body.code).to.equal(
      'MESSAGE_NOT_FOUND',
    );

    const edited = await as(owner).patch(`/api/sessions/${groupId}/messages/${first.id}`, {
      content: 'the zebra, edited',
    });
    expect(edited.body.message.edited_at).to.be.a('string');
    expect(
      (await as(member).patch(`/api/sessions/${groupId}/messages/${first.id}`, { content: 'no' })).body.code,
    ).to.equal('NOT_THE_AUTHOR');

    const thumbsUp = encodeURIComponent('👍');
    expect(
      (await as(member).put(`/api/sessions/${groupId}/messages/${first.id}/reactions/${thumbsUp}`)).status,
    ).to.equal(204);
    expect(
      (await as(member).delete(`/api/sessions/${groupId}/messages/${first.id}/reactions/${thumbsUp}`)).status,
    ).to.equal(204);
    expect((await as(member).put(`/api/sessions/${groupId}/messages/${first.id}/reactions/a%20b`)).status).to.equal(
      400,
    );

    const deleted = await as(member).delete(`/api/sessions/${groupId}/messages/${reply.id}`);
    expect(deleted.body.message.content).to.equal('');
    await h.storeDeleted(reply.id);
    expect(
      (await as(member).patch(`/api/sessions/${groupId}/messages/${reply.id}`, { content: 'back' })).body.code,
    ).to.equal('MESSAGE_DELETED');

    const found = await as(owner).get('/api/search?q=zebra');
    expect(found.body.messages.map((message: { id: string }) => message.id)).to.include(first.id);
    expect((await as(owner).get('/api/search?q=')).status).to.equal(400);
  });

  it('posting faster than the limit is 429', async () => {
    const own = await as(spammer).post('/api/sessions', { name: 'doc spam' });
    const statuses = new Set<number>();
    for (let post = 0; post < 12 && !statuses.has(429); post += 1) {
      statuses.add(
        (await as(spammer).post(`/api/sessions/${own.body.id}/messages`, { content: `spam ${post}` })).status,
      );
    }
    expect([...statuses]).to.deep.equal([202, 429]);
  });

  it('users, presence and the service routes', async () => {
    const users = await as(owner).get(`/api/users?q=${member.username}`);
    expect(users.body.users).to.deep.equal([{ id: member.id, username: member.username }]);
    const presence = await as(owner).get(`/api/presence?user_ids=${member.id},${stranger.id}`);
    expect(presence.body.users.map((user: { id: string }) => user.id)).to.deep.equal([member.id]);
    expect((await as(owner).get('/api/presence?user_ids=')).status).to.equal(400);
    expect((await as(owner).get('/healthz')).status).to.equal(200);
    expect((await as(owner).get('/readyz')).status).to.equal(200);
    expect((await as(owner).get('/metrics')).body).to.be.a('string');
  });

  it('every documented route was answered and held against the document', () => {
    expect([...answers.exercised].sort()).to.deep.equal([...answers.documented()].sort());
  });
});
