import { exchanges } from '@warren/shared/amqp';
import type { LoginEndedEvent } from '@warren/shared/contract';
import { createDatabase, type Knex } from '@warren/shared/db';
import { createLogger } from '@warren/shared/logging';
import { AmqpTap, bodyOf, testConfig } from '@warren/shared/testing';
import amqp, { type ChannelModel, type ConsumeMessage } from 'amqplib';
import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { AUTH_SCHEMA } from '../src/index.ts';
import { startTestAuth, type TestAuth, uniqueUsername } from './support/start-auth.ts';

const PASSWORD = 'correct horse battery';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The `sid` claim of an access token. */
const sidOf = (accessToken: string): unknown => (jwt.decode(accessToken) as jwt.JwtPayload).sid;

describe('signing out (HTTP.md "Signing out everywhere it matters", AMQP.md login.ended)', () => {
  let auth: TestAuth;
  let logins: AmqpTap;
  let db: Knex;

  before(async () => {
    auth = await startTestAuth();
    // The only queue bound to login.ended in this vhost while the file runs (no chat-api or gateway).
    logins = await AmqpTap.open(exchanges.events.name, { routingKey: 'login.ended' });
    db = createDatabase({ url: testConfig().databaseUrl, logger: createLogger({ service: 'test', level: 'silent' }) });
  });
  after(async () => {
    await logins?.close();
    await auth?.service.stop();
    await db?.destroy();
  });

  /** Registers a new user and logs in `times` times: one pair per login. */
  async function userWithLogins(prefix: string, times = 1) {
    const username = uniqueUsername(prefix);
    const registered = await auth.post('/auth/register', { username, password: PASSWORD });
    expect(registered.status).to.equal(201);
    const pairs = [];
    for (let i = 0; i < times; i += 1) {
      const login = await auth.post('/auth/login', { username, password: PASSWORD });
      expect(login.status).to.equal(200);
      pairs.push(login.body);
    }
    return { userId: registered.body.user.id as string, pairs };
  }

  /** Every login.ended routed so far (a confirmed publish is routed before its 204). */
  const ended = async (): Promise<ConsumeMessage[]> => logins.settle();
  const endedOf = async (userId: string): Promise<LoginEndedEvent[]> =>
    (await ended()).map((message) => bodyOf(message) as LoginEndedEvent).filter((event) => event.user_id === userId);

  it('puts the login in the access token as sid: kept by refresh, another for another login', async () => {
    const { pairs } = await userWithLogins('Sid', 2);
    const [first, second] = pairs;
    const sid = sidOf(first.access_token);
    expect(sid).to.be.a('string').and.match(UUID);
    const refreshed = await auth.post('/auth/refresh', { refresh_token: first.refresh_token });
    expect(refreshed.status).to.equal(200);
    expect(sidOf(refreshed.body.access_token)).to.equal(sid);
    const again = await auth.post('/auth/refresh', { refresh_token: refreshed.body.refresh_token });
    expect(sidOf(again.body.access_token)).to.equal(sid);
    expect(sidOf(second.access_token)).to.be.a('string').and.not.equal(sid);
  });

  it('logout publishes login.ended, persistent and as auth, then answers 204', async () => {
    const { userId, pairs } = await userWithLogins('Bye');
    const [pair] = pairs;
    const before = Date.now();
    expect((await auth.post('/auth/logout', { refresh_token: pair.refresh_token })).status).to.equal(204);

    const [message, ...more] = (await ended()).filter((m) => bodyOf(m).user_id === userId);
    expect(more).to.have.length(0);
    expect(message?.fields.routingKey).to.equal('login.ended');
    expect(message?.properties.userId).to.equal(auth.service.amqp.user);
    expect(message?.properties.deliveryMode).to.equal(2);
    expect(message?.properties.type).to.equal('login.ended');
    expect(message?.properties.contentType).to.equal('application/json');
    const body = bodyOf(message as ConsumeMessage);
    expect(body).to.have.keys(['user_id', 'sid', 'ended_at']);
    expect(body).to.include({ user_id: userId, sid: sidOf(pair.access_token) });
    expect(new Date(body.ended_at).toISOString()).to.equal(body.ended_at);
    expect(new Date(body.ended_at).getTime()).to.be.within(before - 1000, Date.now() + 1000);
    expect((await auth.post('/auth/refresh', { refresh_token: pair.refresh_token })).status).to.equal(401);
  });

  it('a logout of a login already ended publishes again, with the same ended_at; an unknown token publishes nothing', async () => {
    const { userId, pairs } = await userWithLogins('Twice');
    const [pair] = pairs;
    expect((await auth.post('/auth/logout', { refresh_token: pair.refresh_token })).status).to.equal(204);
    expect((await auth.post('/auth/logout', { refresh_token: pair.refresh_token })).status).to.equal(204);
    const events = await endedOf(userId);
    expect(events).to.have.length(2);
    expect(events[1]).to.deep.equal(events[0]);

    const count = (await ended()).length;
    expect((await auth.post('/auth/logout', { refresh_token: 'never-issued' })).status).to.equal(204);
    expect(await ended()).to.have.length(count);
  });

  it('logout-all ends every login of the caller: one login.ended each, every refresh token refused after', async () => {
    const { userId, pairs } = await userWithLogins('All', 3);
    const [first, second, third] = pairs;
    const rotated = await auth.post('/auth/refresh', { refresh_token: second.refresh_token });
    // The third login already ended: its access tokens may live still, so it is told again, as it ended.
    expect((await auth.post('/auth/logout', { refresh_token: third.refresh_token })).status).to.equal(204);
    const [thirdEnded] = await endedOf(userId);

    const bearer = { authorization: `Bearer ${first.access_token}` };
    expect((await auth.post('/auth/logout-all', undefined, bearer)).status).to.equal(204);

    const events = (await endedOf(userId)).slice(1);
    expect(events.map((event) => event.sid).sort()).to.deep.equal(
      [first, second, third].map((pair) => sidOf(pair.access_token)).sort(),
    );
    expect(events.find((event) => event.sid === thirdEnded?.sid)).to.deep.equal(thirdEnded);
    for (const token of [first.refresh_token, rotated.body.refresh_token]) {
      const refused = await auth.post('/auth/refresh', { refresh_token: token });
      expect(refused.status).to.equal(401);
      expect(refused.body.code).to.equal('INVALID_REFRESH_TOKEN');
    }
    // Another user's logins live on.
    const { pairs: others } = await userWithLogins('Other');
    expect((await auth.post('/auth/refresh', { refresh_token: others[0].refresh_token })).status).to.equal(200);
  });

  it('logout-all ends the caller’s own login even when it has no token left to revoke, and needs a token', async () => {
    const { userId, pairs } = await userWithLogins('Own');
    const [pair] = pairs;
    expect((await auth.post('/auth/logout', { refresh_token: pair.refresh_token })).status).to.equal(204);
    const [loggedOut] = await endedOf(userId);

    expect(
      (await auth.post('/auth/logout-all', undefined, { authorization: `Bearer ${pair.access_token}` })).status,
    ).to.equal(204);
    const events = await endedOf(userId);
    expect(events).to.have.length(2);
    expect(events[1]).to.deep.equal(loggedOut);

    const anonymous = await auth.post('/auth/logout-all', undefined);
    expect(anonymous.status).to.equal(401);
    expect(anonymous.headers.get('www-authenticate')).to.match(/^Bearer/);
  });

  it('refresh-token reuse revokes the login, publishes login.ended and still answers 401', async () => {
    const { userId, pairs } = await userWithLogins('Reuse');
    const [pair] = pairs;
    const rotated = await auth.post('/auth/refresh', { refresh_token: pair.refresh_token });
    expect(rotated.status).to.equal(200);

    const reuse = await auth.post('/auth/refresh', { refresh_token: pair.refresh_token });
    expect(reuse.status).to.equal(401);
    expect(reuse.body.code).to.equal('INVALID_REFRESH_TOKEN');
    const message = await logins.waitFor((m) => bodyOf(m).user_id === userId);
    expect(bodyOf(message)).to.include({ user_id: userId, sid: sidOf(pair.access_token) });
    expect(message.properties.userId).to.equal(auth.service.amqp.user);
    expect((await auth.post('/auth/refresh', { refresh_token: rotated.body.refresh_token })).status).to.equal(401);
  });

  it('a rotation racing a logout never leaves the login a live refresh token', async () => {
    const { pairs } = await userWithLogins('Race', 12);
    await Promise.all(
      pairs.map(async (pair) => {
        const [refreshed, loggedOut] = await Promise.all([
          auth.post('/auth/refresh', { refresh_token: pair.refresh_token }),
          auth.post('/auth/logout', { refresh_token: pair.refresh_token }),
        ]);
        expect(loggedOut.status).to.equal(204);
        // Whichever came first, the successor a rotation issued belongs to a login that ended.
        if (refreshed.status === 200) {
          const next = await auth.post('/auth/refresh', { refresh_token: refreshed.body.refresh_token });
          expect(next.status).to.equal(401);
        } else {
          expect(refreshed.status).to.equal(401);
        }
      }),
    );
  });

  describe('GET /auth/ended-logins', () => {
    it('lists each ended login once with its first end, without user ids, and the access-token lifetime', async () => {
      const { userId, pairs } = await userWithLogins('Listed', 2);
      const since = new Date().toISOString();
      for (const pair of pairs) {
        expect((await auth.post('/auth/logout', { refresh_token: pair.refresh_token })).status).to.equal(204);
      }
      // A second logout of a login lists it once still, at its first end.
      expect((await auth.post('/auth/logout', { refresh_token: pairs[0].refresh_token })).status).to.equal(204);
      const events = await endedOf(userId);

      const response = await auth.get(`/auth/ended-logins?since=${encodeURIComponent(since)}`);
      expect(response.status).to.equal(200);
      expect(response.body).to.have.keys(['ended', 'access_token_ttl_sec']);
      expect(response.body.access_token_ttl_sec).to.equal(900);
      const mine = response.body.ended.filter((entry: { sid: string }) =>
        pairs.some((pair) => sidOf(pair.access_token) === entry.sid),
      );
      const bySid = (a: { sid: string }, b: { sid: string }) => a.sid.localeCompare(b.sid);
      expect(mine.sort(bySid)).to.deep.equal(
        events
          .slice(0, 2)
          .map(({ sid, ended_at }) => ({ sid, ended_at }))
          .sort(bySid),
      );
      for (const entry of response.body.ended) expect(entry).to.have.keys(['sid', 'ended_at']);

      // With no `since`, the last lifetime; with a later `since`, none of them.
      const byDefault = await auth.get('/auth/ended-logins');
      expect(byDefault.body.ended).to.deep.include.members(mine);
      const later = new Date(Date.now() + 60_000).toISOString();
      const none = await auth.get(`/auth/ended-logins?since=${encodeURIComponent(later)}`);
      expect(none.status).to.equal(200);
      expect(none.body.ended).to.deep.equal([]);
    });

    it('never lists a login that ended longer than an access-token lifetime ago, whatever `since` says', async () => {
      const { pairs } = await userWithLogins('Old', 2);
      const [old, recent] = pairs;
      for (const pair of pairs) {
        expect((await auth.post('/auth/logout', { refresh_token: pair.refresh_token })).status).to.equal(204);
      }
      // As if the first had ended 20 minutes ago: longer ago than a 15-minute token (and its margin) lives.
      await db
        .withSchema(AUTH_SCHEMA)
        .table('refresh_tokens')
        .where({ family_id: sidOf(old.access_token) })
        .update({ revoked_at: db.raw("now() - interval '20 minutes'") });

      const response = await auth.get('/auth/ended-logins?since=1970-01-01T00:00:00Z');
      expect(response.status).to.equal(200);
      const sids = response.body.ended.map((entry: { sid: string }) => entry.sid);
      expect(sids).to.include(sidOf(recent.access_token)).and.not.include(sidOf(old.access_token));
    });

    it('answers 400 problem for a `since` that is not an ISO-8601 instant', async () => {
      for (const since of ['yesterday', '2026-13-01T00:00:00Z', '1700000000', '']) {
        const response = await auth.get(`/auth/ended-logins?since=${encodeURIComponent(since)}`);
        expect(response.status, since).to.equal(400);
        expect(response.headers.get('content-type')).to.match(/^application\/problem\+json/);
        expect(response.body.code).to.equal('INVALID_REQUEST');
      }
      expect((await auth.get('/auth/ended-logins?since=a&since=b')).status).to.equal(400);
    });
  });

  it('logout answers 204 with no chat-api or gateway listening: nobody needs the event then', async () => {
    const { userId, pairs } = await userWithLogins('Unheard');
    const [pair] = pairs;
    await logins.setBound(false);
    try {
      expect((await auth.post('/auth/logout', { refresh_token: pair.refresh_token })).status).to.equal(204);
    } finally {
      await logins.setBound(true);
    }
    expect(await endedOf(userId)).to.deep.equal([]);
    const listed = await auth.get('/auth/ended-logins');
    expect(listed.body.ended.map((entry: { sid: string }) => entry.sid)).to.include(sidOf(pair.access_token));
  });

  describe('when the broker does not confirm login.ended', () => {
    let connection: ChannelModel;

    /**
     * Binds a queue that refuses every message (`x-max-length` 0, `reject-publish`), so the broker
     * nacks each login.ended: a broker that would not take the event, until it is deleted.
     */
    async function refuseLoginEnded(): Promise<() => Promise<void>> {
      const channel = await connection.createChannel();
      const { queue } = await channel.assertQueue('', {
        exclusive: true,
        arguments: { 'x-max-length': 0, 'x-overflow': 'reject-publish' },
      });
      await channel.bindQueue(queue, exchanges.events.name, 'login.ended');
      return async () => {
        await channel.deleteQueue(queue);
        await channel.close();
      };
    }

    before(async () => {
      connection = await amqp.connect(testConfig().rabbitmqUrl);
    });
    after(async () => {
      await connection?.close();
    });

    it('logout answers 503 with the login ended anyway; the retry publishes and answers 204', async () => {
      const { userId, pairs } = await userWithLogins('Refused');
      const [pair] = pairs;
      const accept = await refuseLoginEnded();
      const refused = await auth.post('/auth/logout', { refresh_token: pair.refresh_token });
      await accept();
      expect(refused.status).to.equal(503);
      expect(refused.body.code).to.equal('BROKER_UNAVAILABLE');
      expect((await auth.post('/auth/refresh', { refresh_token: pair.refresh_token })).status).to.equal(401);

      expect((await auth.post('/auth/logout', { refresh_token: pair.refresh_token })).status).to.equal(204);
      const events = await endedOf(userId);
      // The refused publish reached the tap too (the broker nacks when any queue refuses); the retry's comes after.
      expect(events.map((event) => event.sid).at(-1)).to.equal(sidOf(pair.access_token));
    });

    it('logout-all answers 503, and its retry ends the same logins', async () => {
      const { userId, pairs } = await userWithLogins('RefusedAll', 2);
      const bearer = { authorization: `Bearer ${pairs[0].access_token}` };
      const accept = await refuseLoginEnded();
      const refused = await auth.post('/auth/logout-all', undefined, bearer);
      await accept();
      expect(refused.status).to.equal(503);
      for (const pair of pairs) {
        expect((await auth.post('/auth/refresh', { refresh_token: pair.refresh_token })).status).to.equal(401);
      }
      const before = (await endedOf(userId)).length;
      // Every login is revoked already; the retry still tells of each one.
      expect((await auth.post('/auth/logout-all', undefined, bearer)).status).to.equal(204);
      expect(
        (await endedOf(userId))
          .slice(before)
          .map((event) => event.sid)
          .sort(),
      ).to.deep.equal(pairs.map((pair) => sidOf(pair.access_token)).sort());
    });
  });
});
