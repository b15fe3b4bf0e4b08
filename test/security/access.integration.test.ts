import { expect } from 'chai';
import { registerEach, type TestUser, UNLIMITED_POSTING, useWarren } from '../support/warren.ts';
import { HOSTILE_STRINGS } from './support.ts';

/**
 * Access to every chat-api route by an anonymous caller and by a signed-in non-member: no reads, no
 * writes, no joins of private sessions, no message of a public session they are not in (that a
 * private session answers a non-member as one that does not exist, with the same database work, is
 * chat-api's own test). Hostile text in every text field is stored and returned verbatim.
 */
describe('chat-api access control and hostile text (security)', function () {
  this.timeout(60_000);
  const warren = useWarren({ chatApi: UNLIMITED_POSTING });
  let alice: TestUser;
  let bob: TestUser;
  let mallory: TestUser;
  let privateSession: string;
  let messageId: string;

  before(async () => {
    [alice, bob, mallory] = await registerEach(warren, 'alice', 'bob', 'mallory');
    privateSession = await warren.createSession(alice, [bob]);
    const posted = await warren.api(alice, 'POST', `/api/sessions/${privateSession}/messages`, { content: 'secret' });
    expect(posted.status).to.equal(202);
    messageId = posted.body.message.id;
    await warren.stored({ id: messageId });
  });

  /** An id that names nothing. */
  const nothing = crypto.randomUUID();
  /** Every chat-api route that names a session, with a body that would be valid for a member. */
  const sessionRoutes = (id: string): Array<[string, string, unknown?]> => [
    ['GET', `/api/sessions/${id}`],
    ['PATCH', `/api/sessions/${id}`, { name: 'taken over' }],
    ['DELETE', `/api/sessions/${id}`],
    ['POST', `/api/sessions/${id}/join`],
    ['POST', `/api/sessions/${id}/leave`],
    ['POST', `/api/sessions/${id}/members`, { username: 'placeholder' }],
    ['DELETE', `/api/sessions/${id}/members/${nothing}`],
    ['GET', `/api/sessions/${id}/messages`],
    ['GET', `/api/sessions/${id}/messages?after=${nothing}`],
    ['POST', `/api/sessions/${id}/messages`, { content: 'intrusion' }],
    ['POST', `/api/sessions/${id}/read`, { message_id: nothing }],
    ['POST', `/api/sessions/${id}/typing`],
  ];
  const everyRoute = (id: string): Array<[string, string, unknown?]> => [
    ['POST', '/api/sessions', { name: 'x' }],
    ['GET', '/api/sessions'],
    ['GET', '/api/sessions/search?q=a'],
    ['POST', '/api/direct', { username: 'someone' }],
    ['GET', '/api/users?q=a'],
    ...sessionRoutes(id),
  ];
  it('answers an anonymous caller 401 with WWW-Authenticate on every route', async () => {
    for (const [method, path, body] of everyRoute(privateSession)) {
      const response = await fetch(`${warren.chatUrl}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      expect(response.status, `${method} ${path}`).to.equal(401);
      expect(response.headers.get('www-authenticate'), `${method} ${path}`).to.match(/^Bearer/);
      expect(response.headers.get('content-type'), `${method} ${path}`).to.match(/^application\/problem\+json/);
    }
  });

  it('shows a non-member of a public session none of its messages, anywhere', async () => {
    const session = await warren.createSession(alice, [bob]);
    const name = `open ${crypto.randomUUID()}`;
    expect(
      (await warren.api(alice, 'PATCH', `/api/sessions/${session}`, { name, visibility: 'public' })).status,
    ).to.equal(200);
    const posted = await warren.api(alice, 'POST', `/api/sessions/${session}/messages`, { content: 'for members' });
    await warren.stored({ id: posted.body.message.id });
    const seen = JSON.stringify((await warren.api(bob, 'GET', `/api/sessions/${session}`)).body);
    expect(seen).to.include('for members');

    const detail = await warren.api(mallory, 'GET', `/api/sessions/${session}`);
    expect(detail.status).to.equal(200);
    expect(detail.body).to.include({ last_message: null, unread_count: 0 });
    const found = await warren.api(mallory, 'GET', `/api/sessions/search?q=${encodeURIComponent(name)}`);
    expect(found.body.sessions).to.have.length(1);
    expect(found.body.sessions[0]).to.include({ id: session, is_member: false, last_message: null, unread_count: 0 });
    for (const [method, path, body] of [
      ['GET', `/api/sessions/${session}/messages`],
      ['GET', `/api/sessions/${session}/messages?after=${posted.body.message.id}`],
      ['POST', `/api/sessions/${session}/read`, { message_id: posted.body.message.id }],
      ['POST', `/api/sessions/${session}/typing`],
    ] as Array<[string, string, unknown?]>) {
      const answer = await warren.api(mallory, method, path, body);
      expect(answer.status, `${method} ${path}`).to.equal(403);
      expect(JSON.stringify(answer.body), `${method} ${path}`).not.to.include('for members');
    }
    expect(JSON.stringify([detail.body, found.body])).not.to.include('for members');
  });

  it('leaves the private session untouched: no member added, no message, nothing read or renamed', async () => {
    const detail = await warren.api(alice, 'GET', `/api/sessions/${privateSession}`);
    expect(detail.status).to.equal(200);
    expect(detail.body.members.map((member: { user: { id: string } }) => member.user.id).sort()).to.deep.equal(
      [alice.id, bob.id].sort(),
    );
    expect(detail.body.name).to.not.equal('taken over');
    const history = await warren.api(alice, 'GET', `/api/sessions/${privateSession}/messages`);
    expect(history.body.messages.map((message: { content: string }) => message.content)).to.deep.equal(['secret']);
    // Nothing of it shows in the non-member's lists or searches.
    const mine = await warren.api(mallory, 'GET', '/api/sessions');
    expect(mine.body.sessions.map((session: { id: string }) => session.id)).to.not.include(privateSession);
    const found = await warren.api(mallory, 'GET', `/api/sessions/search?q=${encodeURIComponent(detail.body.name)}`);
    expect(found.body.sessions).to.deep.equal([]);
  });

  it('does not let a member post as someone else, or reuse a message id of another session or author (409)', async () => {
    const own = await warren.createSession(mallory);
    const reused = await warren.api(mallory, 'POST', `/api/sessions/${own}/messages`, { content: 'x', id: messageId });
    expect(reused.status).to.equal(409);
    const spoof = await warren.api(mallory, 'POST', `/api/sessions/${own}/messages`, {
      content: 'x',
      author: { kind: 'user', id: alice.id, username: alice.username },
    });
    expect(spoof.status).to.equal(202);
    expect(spoof.body.message.author).to.deep.equal({ kind: 'user', id: mallory.id, username: mallory.username });
  });

  it('stores and returns SQL-ish and script-ish text verbatim in names, content, type-safe extra and search', async () => {
    const session = await warren.createSession(alice, [bob]);
    for (const text of HOSTILE_STRINGS) {
      const renamed = await warren.api(alice, 'PATCH', `/api/sessions/${session}`, {
        name: text,
        visibility: 'public',
      });
      expect(renamed.status, text).to.equal(200);
      // Names are trimmed (chat-api.md); nothing else changes.
      expect(renamed.body.name, text).to.equal(text.trim());
      const posted = await warren.api(alice, 'POST', `/api/sessions/${session}/messages`, {
        content: text,
        extra: { [text]: text, list: [text] },
      });
      expect(posted.status, text).to.equal(202);
      // Content is trimmed like names (the envelope's rule); nothing else changes.
      expect(posted.body.message.content, text).to.equal(text.trim());
      const row = await warren.stored({ id: posted.body.message.id });
      expect(row.content, text).to.equal(text.trim());
      const history = await warren.api(bob, 'GET', `/api/sessions/${session}/messages?limit=1`);
      expect(history.body.messages[0].content, text).to.equal(text.trim());
      expect(history.body.messages[0].extra, text).to.deep.equal({ [text]: text, list: [text] });
      const search = await warren.api(mallory, 'GET', `/api/sessions/search?q=${encodeURIComponent(text.trim())}`);
      expect(search.status, text).to.equal(200);
      expect(
        search.body.sessions.map((found: { name: string }) => found.name),
        text,
      ).to.include(text.trim());
      const users = await warren.api(mallory, 'GET', `/api/users?q=${encodeURIComponent(text)}`);
      expect(users.status, text).to.equal(200);
    }
    const detail = await warren.api(bob, 'GET', `/api/sessions/${session}`);
    expect(detail.body.name).to.equal(HOSTILE_STRINGS.at(-1)?.trim());
  });
});
