import { randomUUID } from 'node:crypto';
import { names } from '@warren/shared/amqp';
import { NEW_MESSAGE_STATE } from '@warren/shared/envelope';
import { HISTORY_SCHEMA } from '@warren/shared/history';
import { testConfig } from '@warren/shared/testing';
import type { ConsumeMessage } from 'amqplib';
import { expect } from 'chai';
import { exchangeExists } from './support/broker-admin.ts';
import { type TestUser, useChatApi } from './support/chat-api-harness.ts';
import { bodyOf, Tap } from './support/tap.ts';

/** The fields of a Session (HTTP.md) the tests of views read. */
interface Session {
  id: string;
  bumped_at: string;
}

describe('chat-api sessions', () => {
  const h = useChatApi();

  const idsOf = (messages: { id: string }[]) => messages.map((message) => message.id);

  describe('a private session of Alice and Bob', () => {
    const [alice, bob, carol] = h.users('alice', 'bob', 'carol');
    // biome-ignore lint/suspicious/noExplicitAny: a Session as the API answered it.
    let session: any;

    before(async () => {
      const created = await h.api(alice).post('/api/sessions', { name: ' Plans ', members: [bob.username] });
      expect(created.status, JSON.stringify(created.body)).to.equal(201);
      session = created.body;
    });

    it('is made with the caller as owner and the named users as members', async () => {
      expect(session).to.include({
        kind: 'group',
        name: 'Plans',
        visibility: 'private',
        owner_id: alice.id,
        version: 0,
        member_count: 2,
        last_message: null,
        unread_count: 0,
      });
      expect(await exchangeExists(names.sessionExchange(session.id))).to.equal(true);
      const detail = await h.api(bob).get(`/api/sessions/${session.id}`);
      expect(detail.status).to.equal(200);
      expect(
        detail.body.members.map((m: { user: { username: string }; role: string }) => [m.user.username, m.role]),
      ).to.deep.equal([
        [alice.username, 'owner'],
        [bob.username, 'member'],
      ]);
    });

    it('is listed for Bob', async () => {
      const listed = await h.api(bob).get('/api/sessions');
      expect(listed.status).to.equal(200);
      expect(listed.body.sessions.map((s: { id: string }) => s.id)).to.include(session.id);
    });

    it('does not exist for Carol: 404 on detail, history, posting, joining and typing', async () => {
      const carolApi = h.api(carol);
      const answers = [
        await carolApi.get(`/api/sessions/${session.id}`),
        await carolApi.get(`/api/sessions/${session.id}/messages`),
        await carolApi.post(`/api/sessions/${session.id}/messages`, { content: 'let me in' }),
        await carolApi.post(`/api/sessions/${session.id}/join`),
        await carolApi.post(`/api/sessions/${session.id}/typing`),
      ];
      for (const answer of answers) {
        expect(answer.status).to.equal(404);
        expect(answer.body.code).to.equal('SESSION_NOT_FOUND');
      }
      expect((await carolApi.get('/api/sessions')).body.sessions.map((s: { id: string }) => s.id)).not.to.include(
        session.id,
      );
    });

    it('pages through history backwards with before and forwards with after, without gaps or repeats', async () => {
      const posted: string[] = [];
      for (let i = 0; i < 7; i += 1) posted.push((await h.say(i % 2 === 0 ? alice : bob, session.id, `m${i}`)).id);
      const api = h.api(bob);
      const path = `/api/sessions/${session.id}/messages`;

      const newest = await api.get(`${path}?limit=3`);
      expect(newest.status).to.equal(200);
      expect(idsOf(newest.body.messages)).to.deep.equal([posted[6], posted[5], posted[4]]);
      expect(newest.body.has_more).to.equal(true);
      const older = await api.get(`${path}?limit=3&before=${posted[4]}`);
      expect(idsOf(older.body.messages)).to.deep.equal([posted[3], posted[2], posted[1]]);
      expect(older.body.has_more).to.equal(true);
      const oldest = await api.get(`${path}?limit=3&before=${posted[1]}`);
      expect(idsOf(oldest.body.messages)).to.deep.equal([posted[0]]);
      expect(oldest.body.has_more).to.equal(false);

      const forward = await api.get(`${path}?limit=4&after=${posted[0]}`);
      expect(idsOf(forward.body.messages)).to.deep.equal(posted.slice(1, 5));
      expect(forward.body.has_more).to.equal(true);
      const rest = await api.get(`${path}?limit=4&after=${posted[4]}`);
      expect(idsOf(rest.body.messages)).to.deep.equal(posted.slice(5));
      expect(rest.body.has_more).to.equal(false);

      const all = await api.get(path);
      expect(idsOf(all.body.messages)).to.deep.equal([...posted].reverse());
      expect(all.body.messages[0]).to.deep.include({
        session_id: session.id,
        author: { kind: 'user', id: alice.id, username: alice.username },
        type: 'text',
        content: 'm6',
        extra: null,
      });
    });

    it('refuses cursors it cannot place and limits out of range', async () => {
      const path = `/api/sessions/${session.id}/messages`;
      const api = h.api(alice);
      const unknown = await api.get(`${path}?before=0191d7a0-0000-7000-8000-000000000000`);
      expect(unknown.status).to.equal(404);
      expect(unknown.body.code).to.equal('MESSAGE_NOT_FOUND');
      for (const query of [
        'before=nope',
        'limit=0',
        'limit=101',
        'limit=two',
        `before=${session.id}&after=${session.id}`,
      ]) {
        const answer = await api.get(`${path}?${query}`);
        expect(answer.status, query).to.equal(400);
        expect(answer.body.code, query).to.equal('INVALID_REQUEST');
      }
    });
  });

  it('counts for each member the unread messages others wrote, from their read marker', async () => {
    const [alice, bob] = await Promise.all([h.register('alice'), h.register('bob')]);
    const { body: session } = await h.api(alice).post('/api/sessions', { members: [bob.username] });
    expect(session.name).to.equal(`${alice.username}, ${bob.username}`);
    const a1 = await h.say(alice, session.id, 'a1');
    const a2 = await h.say(alice, session.id, 'a2');
    const b1 = await h.say(bob, session.id, 'b1');
    const unread = async (user: TestUser) => {
      const listed = await h.api(user).get('/api/sessions');
      return listed.body.sessions.find((s: { id: string }) => s.id === session.id);
    };

    const aliceView = await unread(alice);
    expect(aliceView.unread_count).to.equal(1);
    expect(aliceView.last_message.id).to.equal(b1.id);
    expect(aliceView.version).to.equal(3);
    expect((await unread(bob)).unread_count).to.equal(2);

    const read = (user: TestUser, messageId: string) =>
      h.api(user).post(`/api/sessions/${session.id}/read`, { message_id: messageId });
    expect((await read(bob, a2.id)).status).to.equal(204);
    expect((await unread(bob)).unread_count).to.equal(0);
    expect((await read(alice, a1.id)).status).to.equal(204);
    expect((await unread(alice)).unread_count).to.equal(1);
    expect((await read(alice, b1.id)).status).to.equal(204);
    expect((await unread(alice)).unread_count).to.equal(0);
    // Never back: reading an older message leaves the marker where it is.
    expect((await read(alice, a1.id)).status).to.equal(204);
    expect((await unread(alice)).unread_count).to.equal(0);
    await h.say(bob, session.id, 'b2');
    expect((await unread(alice)).unread_count).to.equal(1);

    const elsewhere = await read(alice, '0191d7a0-0000-7000-8000-000000000000');
    expect(elsewhere.status).to.equal(404);
    expect(elsewhere.body.code).to.equal('MESSAGE_NOT_FOUND');
  });

  it('lists the caller’s sessions most recently bumped first', async () => {
    const alice = await h.register('alice');
    const first = (await h.api(alice).post('/api/sessions', { name: 'first' })).body;
    const second = (await h.api(alice).post('/api/sessions', { name: 'second' })).body;
    const order = async () => (await h.api(alice).get('/api/sessions')).body.sessions.map((s: { id: string }) => s.id);
    expect(await order()).to.deep.equal([second.id, first.id]);
    await h.say(alice, first.id, 'bump');
    expect(await order()).to.deep.equal([first.id, second.id]);
  });

  describe('public sessions', () => {
    const [alice, bob, carol] = h.users('alice', 'bob', 'carol');

    const create = async (owner: TestUser, body: object) => {
      const created = await h.api(owner).post('/api/sessions', body);
      expect(created.status, JSON.stringify(created.body)).to.equal(201);
      return created.body;
    };

    it('are found by search, by name, saying whether the caller is a member', async () => {
      const tag = Math.random().toString(36).slice(2, 10);
      const zeta = await create(alice, { name: `zeta ${tag}`, visibility: 'public' });
      const alpha = await create(alice, { name: `Alpha ${tag}`, visibility: 'public' });
      const percent = await create(alice, { name: `100%_${tag}`, visibility: 'public' });
      await create(alice, { name: `hidden ${tag}`, visibility: 'private' });

      const found = await h.api(bob).get(`/api/sessions/search?q=${tag.toUpperCase()}`);
      expect(found.status).to.equal(200);
      expect(found.body.sessions.map((s: { id: string }) => s.id)).to.deep.equal([percent.id, alpha.id, zeta.id]);
      expect(found.body.sessions.every((s: { is_member: boolean }) => s.is_member === false)).to.equal(true);
      const mine = await h.api(alice).get(`/api/sessions/search?q=${tag}`);
      expect(mine.body.sessions.every((s: { is_member: boolean }) => s.is_member === true)).to.equal(true);

      // Wildcards are taken literally: `%_` matches only the name that holds them.
      const literal = await h.api(bob).get(`/api/sessions/search?q=${encodeURIComponent(`%_${tag}`)}`);
      expect(literal.body.sessions.map((s: { id: string }) => s.id)).to.deep.equal([percent.id]);
    });

    it('are joined, and joining twice changes nothing', async () => {
      const session = await create(alice, { name: 'open', visibility: 'public' });
      const joined = await h.api(bob).post(`/api/sessions/${session.id}/join`);
      expect(joined.status).to.equal(200);
      expect(joined.body).to.include({ id: session.id, member_count: 2, version: 1 });
      const again = await h.api(bob).post(`/api/sessions/${session.id}/join`);
      expect(again.status).to.equal(200);
      expect(again.body).to.include({ member_count: 2, version: 1 });
    });

    it('refuse members past 10,000 with 409', async () => {
      const session = await create(alice, { name: 'packed', visibility: 'public' });
      // 9,999 more members straight into the database: joining through the API would take minutes.
      await h.db.raw(
        `with filler as (
           insert into chat.users (id, username)
           select gen_random_uuid(), 'filler_' || substr(md5(random()::text), 1, 20) from generate_series(1, 9999)
           returning id)
         insert into chat.members (session_id, user_id, role) select ?, id, 'member' from filler`,
        [session.id],
      );
      const refused = await h.api(bob).post(`/api/sessions/${session.id}/join`);
      expect(refused.status).to.equal(409);
      expect(refused.body.code).to.equal('SESSION_FULL');
      expect((await h.api(alice).get(`/api/sessions/${session.id}`)).body.member_count).to.equal(10_000);
      await h.api(alice).delete(`/api/sessions/${session.id}`);
    });

    it('answer 403 to non-members on member routes, and show them their detail', async () => {
      const session = await create(alice, { name: 'look but do not touch', visibility: 'public' });
      const said = await h.say(alice, session.id, 'members only');
      const detail = await h.api(carol).get(`/api/sessions/${session.id}`);
      expect(detail.status).to.equal(200);
      expect(detail.body.members).to.have.length(1);
      for (const answer of [
        await h.api(carol).get(`/api/sessions/${session.id}/messages`),
        await h.api(carol).get(`/api/sessions/${session.id}/messages?before=${said.id}`),
        await h.api(carol).post(`/api/sessions/${session.id}/messages`, { content: 'hi' }),
        await h.api(carol).post(`/api/sessions/${session.id}/read`, { message_id: said.id }),
        await h.api(carol).post(`/api/sessions/${session.id}/typing`),
        await h.api(carol).post(`/api/sessions/${session.id}/leave`),
        await h.api(carol).post(`/api/sessions/${session.id}/members`, { username: bob.username }),
        await h.api(carol).patch(`/api/sessions/${session.id}`, { name: 'mine now' }),
        await h.api(carol).delete(`/api/sessions/${session.id}`),
      ]) {
        expect(answer.status).to.equal(403);
        expect(answer.body.code).to.equal('NOT_A_MEMBER');
      }
    });

    it('show non-members no message: no last_message and no unread count, in detail and search', async () => {
      const tag = Math.random().toString(36).slice(2, 10);
      const session = await create(alice, { name: `news ${tag}`, visibility: 'public' });
      const said = await h.say(alice, session.id, 'for members');
      const mine = await h.api(alice).get(`/api/sessions/${session.id}`);
      expect(mine.body.last_message.id).to.equal(said.id);

      const outsider = async () => {
        const detail = await h.api(carol).get(`/api/sessions/${session.id}`);
        expect(detail.status).to.equal(200);
        const found = await h.api(carol).get(`/api/sessions/search?q=${tag}`);
        expect(found.body.sessions).to.have.length(1);
        for (const view of [detail.body, found.body.sessions[0]]) {
          expect(view).to.include({ id: session.id, last_message: null, unread_count: 0 });
        }
        expect(found.body.sessions[0].is_member).to.equal(false);
      };
      await outsider();
      const aliceFound = await h.api(alice).get(`/api/sessions/search?q=${tag}`);
      expect(aliceFound.body.sessions[0]).to.deep.include({ is_member: true });
      expect(aliceFound.body.sessions[0].last_message.id).to.equal(said.id);

      // Joining makes Carol a member: the join's answer shows her the last message; leaving hides it.
      const joined = await h.api(carol).post(`/api/sessions/${session.id}/join`);
      expect(joined.status).to.equal(200);
      expect(joined.body.last_message.id).to.equal(said.id);
      expect(joined.body.unread_count).to.equal(1);
      expect((await h.api(carol).post(`/api/sessions/${session.id}/leave`)).status).to.equal(204);
      await outsider();
    });

    it('hand ownership to the longest-standing member when the owner leaves', async () => {
      const session = await create(alice, { name: 'relay', visibility: 'public' });
      await h.api(bob).post(`/api/sessions/${session.id}/join`);
      await h.api(carol).post(`/api/sessions/${session.id}/join`);
      expect((await h.api(alice).post(`/api/sessions/${session.id}/leave`)).status).to.equal(204);
      const detail = await h.api(bob).get(`/api/sessions/${session.id}`);
      expect(detail.body.owner_id).to.equal(bob.id);
      expect(detail.body.version).to.equal(3);
      expect(detail.body.members.map((m: { user: { id: string }; role: string }) => [m.user.id, m.role])).to.deep.equal(
        [
          [bob.id, 'owner'],
          [carol.id, 'member'],
        ],
      );
    });

    it('are deleted, messages and exchange included, when the last member leaves', async () => {
      const session = await create(alice, { name: 'short-lived', visibility: 'public' });
      await h.api(bob).post(`/api/sessions/${session.id}/join`);
      const said = await h.say(bob, session.id, 'bye');
      expect((await h.api(alice).post(`/api/sessions/${session.id}/leave`)).status).to.equal(204);
      expect(await exchangeExists(names.sessionExchange(session.id))).to.equal(true);
      expect((await h.api(bob).post(`/api/sessions/${session.id}/leave`)).status).to.equal(204);
      expect((await h.api(bob).get(`/api/sessions/${session.id}`)).status).to.equal(404);
      expect(await exchangeExists(names.sessionExchange(session.id))).to.equal(false);
      expect(await h.db.withSchema('history').from('messages').where({ id: said.id }).first()).to.equal(undefined);
    });
  });

  describe('owners and members', () => {
    const [alice, bob, carol] = h.users('alice', 'bob', 'carol');

    it('lets the owner rename and change visibility, and nobody else', async () => {
      const { body: session } = await h.api(alice).post('/api/sessions', { name: 'draft', members: [bob.username] });
      const refused = await h.api(bob).patch(`/api/sessions/${session.id}`, { name: 'coup' });
      expect(refused.status).to.equal(403);
      expect(refused.body.code).to.equal('NOT_THE_OWNER');
      const renamed = await h.api(alice).patch(`/api/sessions/${session.id}`, { name: 'final', visibility: 'public' });
      expect(renamed.status).to.equal(200);
      expect(renamed.body).to.include({ name: 'final', visibility: 'public', version: 1 });
      const unchanged = await h.api(alice).patch(`/api/sessions/${session.id}`, { name: 'final' });
      expect(unchanged.body.version).to.equal(1);
      const invalid = await h.api(alice).patch(`/api/sessions/${session.id}`, { name: ' ', visibility: 'secret' });
      expect(invalid.status).to.equal(400);
      expect(invalid.body.errors.map((e: { field: string }) => e.field)).to.have.members(['name', 'visibility']);
    });

    it('lets any member add users by username, twice without error, and only the owner remove them', async () => {
      const { body: session } = await h.api(alice).post('/api/sessions', { name: 'growing', members: [bob.username] });
      const added = await h
        .api(bob)
        .post(`/api/sessions/${session.id}/members`, { username: carol.username.toUpperCase() });
      expect(added.status).to.equal(200);
      expect(added.body).to.include({ member_count: 3, version: 1 });
      const twice = await h.api(bob).post(`/api/sessions/${session.id}/members`, { username: carol.username });
      expect(twice.body).to.include({ member_count: 3, version: 1 });
      const unknown = await h.api(bob).post(`/api/sessions/${session.id}/members`, { username: 'nobody_by_that_name' });
      expect(unknown.status).to.equal(404);
      expect(unknown.body.code).to.equal('USER_NOT_FOUND');

      const notOwner = await h.api(bob).delete(`/api/sessions/${session.id}/members/${carol.id}`);
      expect(notOwner.status).to.equal(403);
      expect((await h.api(alice).delete(`/api/sessions/${session.id}/members/${carol.id}`)).status).to.equal(204);
      expect((await h.api(alice).delete(`/api/sessions/${session.id}/members/${carol.id}`)).status).to.equal(204);
      expect((await h.api(carol).get(`/api/sessions/${session.id}`)).status).to.equal(404);
      expect((await h.api(alice).get(`/api/sessions/${session.id}`)).body).to.include({ member_count: 2, version: 2 });
    });

    it('answers 404 naming every unknown username when making a session', async () => {
      const made = await h.api(alice).post('/api/sessions', { members: [bob.username, 'ghost_one', 'ghost_two'] });
      expect(made.status).to.equal(404);
      expect(made.body.code).to.equal('USER_NOT_FOUND');
      expect(made.body.detail).to.include('ghost_one').and.include('ghost_two');
    });

    it('lets only the owner delete a session, and deletes its exchange', async () => {
      const { body: session } = await h.api(alice).post('/api/sessions', { name: 'doomed', members: [bob.username] });
      expect((await h.api(bob).delete(`/api/sessions/${session.id}`)).status).to.equal(403);
      expect((await h.api(alice).delete(`/api/sessions/${session.id}`)).status).to.equal(204);
      expect((await h.api(bob).get(`/api/sessions/${session.id}`)).status).to.equal(404);
      expect(await exchangeExists(names.sessionExchange(session.id))).to.equal(false);
    });
  });

  describe('errors', () => {
    it('answers 401 problem+json with WWW-Authenticate: Bearer without a valid token', async () => {
      for (const answer of [
        await h.api().get('/api/sessions'),
        await h.api({ id: '', username: '', token: 'not.a.jwt' }).post('/api/sessions', { name: 'x' }),
      ]) {
        expect(answer.status).to.equal(401);
        expect(answer.headers.get('www-authenticate')).to.match(/^Bearer/);
        expect(answer.headers.get('content-type')).to.match(/^application\/problem\+json/);
        expect(answer.body).to.include({ status: 401, code: 'UNAUTHORIZED' });
      }
    });

    it('answers every error as problem+json', async () => {
      const alice = await h.register('alice');
      const api = h.api(alice);
      const cases: [Promise<{ status: number; headers: Headers; body: { code: string } }>, number, string][] = [
        [api.get('/api/sessions/not-a-uuid'), 404, 'SESSION_NOT_FOUND'],
        [api.get('/api/sessions/0191d7a0-0000-4000-8000-000000000000'), 404, 'SESSION_NOT_FOUND'],
        [api.get('/api/nothing-here'), 404, 'NOT_FOUND'],
        [api.post('/api/sessions', '{"name":'), 400, 'INVALID_JSON'],
        [api.post('/api/sessions', { name: 'x'.repeat(101) }), 400, 'INVALID_REQUEST'],
        [api.post('/api/direct', { username: alice.username }), 400, 'INVALID_REQUEST'],
      ];
      for (const [pending, status, code] of cases) {
        const answer = await pending;
        expect(answer.status, code).to.equal(status);
        expect(answer.headers.get('content-type'), code).to.match(/^application\/problem\+json/);
        expect(answer.body, code).to.include({ code });
        expect(answer.body).to.have.keys([
          'type',
          'title',
          'status',
          'detail',
          'code',
          ...('errors' in answer.body ? ['errors'] : []),
        ]);
      }
    });
  });

  /**
   * A session as chat-api shows it is its own row plus what storing messages did to it, which the
   * persister keeps in `history.session_activity`: these check the two are combined as one session.
   */
  describe('as shown, with what storing messages did to them', () => {
    /** A session of a new user's, who is its owner. */
    async function sessionOf(name: string, visibility = 'private'): Promise<{ owner: TestUser; session: Session }> {
      const owner = await h.register('owner');
      const created = await h.api(owner).post('/api/sessions', { name, visibility });
      expect(created.status, JSON.stringify(created.body)).to.equal(201);
      return { owner, session: created.body };
    }

    /** Stores a message of the run's bot written at `createdAt`, as the persister would. */
    async function botSays(sessionId: string, content: string, createdAt: Date): Promise<string> {
      const id = randomUUID();
      const author = { kind: 'bot', name: testConfig().users.bot.name } as const;
      const created_at = createdAt.toISOString();
      await h.store({
        id,
        session_id: sessionId,
        author,
        type: 'text',
        content,
        extra: null,
        created_at,
        reply_to: null,
        ...NEW_MESSAGE_STATE,
      });
      return id;
    }

    it('counts the messages stored in the version, in answers and in the events of later changes', async () => {
      const { owner: alice, session } = await sessionOf('counted', 'public');
      const bob = await h.register('bob');
      const sessionId = session.id;
      const tap = await Tap.open(names.sessionExchange(sessionId));
      try {
        await h.say(alice, sessionId, 'one');
        const second = await h.say(alice, sessionId, 'two');
        const view = (await h.api(alice).get(`/api/sessions/${sessionId}`)).body;
        expect(view).to.deep.include({ version: 2 });
        expect(view.last_message).to.deep.include({ id: second.id, content: 'two' });

        const joined = await h.api(bob).post(`/api/sessions/${sessionId}/join`);
        expect(joined.body).to.include({ version: 3 });
        const event = await tap.waitFor((m: ConsumeMessage) => m.properties.type === 'member.joined');
        expect(bodyOf(event)).to.include({ version: 3 });

        await h.say(bob, sessionId, 'three');
        const renamed = await h.api(alice).patch(`/api/sessions/${sessionId}`, { name: 'recounted' });
        expect(renamed.body).to.include({ version: 5 });
        const updated = await tap.waitFor((m: ConsumeMessage) => m.properties.type === 'session.updated');
        expect(bodyOf(updated)).to.include({ version: 5 });
      } finally {
        await tap.close();
      }
    });

    // That a message dated in the future bumps its session only to the time it was stored is the
    // persister's part (services/persister/test/message-store.integration.test.ts).
    it('keeps bumped_at at the later of the session’s own and its messages’', async () => {
      const { owner: alice, session } = await sessionOf('dated');
      const sessionId = session.id;
      const view = async () => (await h.api(alice).get(`/api/sessions/${sessionId}`)).body;

      const old = await botSays(sessionId, 'written long ago', new Date('2001-01-01T00:00:00Z'));
      const afterOld = await view();
      expect(afterOld.bumped_at, 'not moved back').to.equal(session.bumped_at);
      expect(afterOld.last_message).to.deep.include({ id: old, created_at: '2001-01-01T00:00:00.000Z' });
      expect(afterOld.version).to.equal(1);

      const said = await h.say(alice, sessionId, 'written now');
      expect((await view()).bumped_at).to.equal(said.created_at);
    });

    it('orders the caller’s sessions by the later of both bumps', async () => {
      const carol = await h.register('carol');
      const first = (await h.api(carol).post('/api/sessions', { name: 'first' })).body;
      const second = (await h.api(carol).post('/api/sessions', { name: 'second' })).body;
      const order = async () =>
        (await h.api(carol).get('/api/sessions')).body.sessions.map((s: { id: string }) => s.id);
      // A message older than both sessions bumps neither.
      await botSays(first.id, 'old news', new Date('2001-01-01T00:00:00Z'));
      expect(await order()).to.deep.equal([second.id, first.id]);
      await h.say(carol, first.id, 'fresh');
      expect(await order()).to.deep.equal([first.id, second.id]);
    });

    it('erases a deleted session’s activity with its messages', async () => {
      const { owner: alice, session } = await sessionOf('erased');
      const sessionId = session.id;
      await h.say(alice, sessionId, 'soon gone');
      const activity = () => h.db.withSchema(HISTORY_SCHEMA).from('session_activity').where({ session_id: sessionId });
      expect(await activity()).to.have.length(1);
      expect((await h.api(alice).delete(`/api/sessions/${sessionId}`)).status).to.equal(204);
      expect(await activity()).to.deep.equal([]);
    });
  });
});
