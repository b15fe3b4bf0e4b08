import { exchanges } from '@warren/shared/amqp';
import { OpenApiAnswers, routesOf, testConfig } from '@warren/shared/testing';
import amqp from 'amqplib';
import { expect } from 'chai';
import { OPENAPI_PATH } from '../../src/openapi.ts';
import { type AuthRouteDeps, authRoutes } from '../../src/routes.ts';
import { startTestAuth, type TestAuth, uniqueUsername } from '../support/start-auth.ts';

const PASSWORD = 'correct horse battery';

describe('auth OpenAPI document (GET /auth/openapi.json) against real answers', () => {
  let auth: TestAuth;
  let answers: OpenApiAnswers;

  before(async () => {
    // Two failed logins per username, so the 429 is reached in a few calls.
    auth = await startTestAuth({ LOGIN_MAX_FAILURES_PER_USERNAME: '2' });
  });
  after(async () => {
    await auth?.service.stop();
  });

  it('is served unauthenticated and is a valid OpenAPI 3.1 document', async () => {
    const served = await auth.get(OPENAPI_PATH);
    expect(served.status).to.equal(200);
    expect(served.headers.get('content-type')).to.match(/^application\/json/);
    expect(served.body.openapi).to.equal('3.1.0');
    answers = await OpenApiAnswers.of(served.body, () => auth.baseUrl);
    await answers.call('GET', OPENAPI_PATH);
  });

  it('documents every route of HTTP.md’s auth tables and of every service', () => {
    expect([...answers.documented()].sort()).to.deep.equal(
      [
        'GET /auth/.well-known/jwks.json',
        'GET /auth/ended-logins',
        'GET /auth/me',
        `GET ${OPENAPI_PATH}`,
        'GET /healthz',
        'GET /metrics',
        'GET /readyz',
        'POST /auth/login',
        'POST /auth/logout',
        'POST /auth/logout-all',
        'POST /auth/refresh',
        'POST /auth/register',
      ].sort(),
    );
  });

  it('documents every route the auth router has, and no other', () => {
    // Made only to be read: no request reaches it, and only the rate limits read their options.
    const router = authRoutes({
      loginLimits: { maxFailuresPerUsername: 1, maxAttemptsPerAddress: 1, windowSec: 1 },
      registrationLimits: { maxPerAddress: 1, windowSec: 1 },
    } as AuthRouteDeps);
    const service = ['GET /healthz', 'GET /readyz', 'GET /metrics'];
    expect([...routesOf(router, '/auth'), ...service].sort()).to.deep.equal([...answers.documented()].sort());
  });

  it('registration: 201, then 409 for the name taken, 400 for a bad body, non-JSON or one too large', async () => {
    const username = uniqueUsername('Doc');
    const created = await answers.call('POST', '/auth/register', { body: { username, password: PASSWORD } });
    expect(created.status).to.equal(201);
    expect(created.body.user.username).to.equal(username);
    const taken = await answers.call('POST', '/auth/register', { body: { username, password: PASSWORD } });
    expect(taken.body.code).to.equal('USERNAME_TAKEN');
    const invalid = await answers.call('POST', '/auth/register', { body: { username: 'x', password: 'short' } });
    expect(invalid.status).to.equal(400);
    expect(invalid.body.errors.map((error: { field: string }) => error.field)).to.have.members([
      'username',
      'password',
    ]);
    const notJson = await answers.call('POST', '/auth/register', { body: '{"username":' });
    expect(notJson.body.code).to.equal('INVALID_JSON');
    const tooLarge = await answers.call('POST', '/auth/register', {
      body: { username, password: 'x'.repeat(1024 * 1024) },
    });
    expect(tooLarge.status).to.equal(413);
  });

  it('sign-in, refresh, me, logout and logout-all, with their refusals', async () => {
    const username = uniqueUsername('Doc');
    await answers.call('POST', '/auth/register', { body: { username, password: PASSWORD } });
    const pair = await answers.call('POST', '/auth/login', { body: { username, password: PASSWORD } });
    expect(pair.status).to.equal(200);
    expect(pair.body.token_type).to.equal('Bearer');

    const me = await answers.call('GET', '/auth/me', { token: pair.body.access_token });
    expect(me.body.user.username).to.equal(username);
    const anonymous = await answers.call('GET', '/auth/me');
    expect(anonymous.status).to.equal(401);

    const refreshed = await answers.call('POST', '/auth/refresh', { body: { refresh_token: pair.body.refresh_token } });
    expect(refreshed.status).to.equal(200);
    const spent = await answers.call('POST', '/auth/refresh', { body: { refresh_token: pair.body.refresh_token } });
    expect(spent.body.code).to.equal('INVALID_REFRESH_TOKEN');
    expect((await answers.call('POST', '/auth/refresh', { body: {} })).status).to.equal(400);

    const second = await answers.call('POST', '/auth/login', { body: { username, password: PASSWORD } });
    expect(
      (await answers.call('POST', '/auth/logout', { body: { refresh_token: second.body.refresh_token } })).status,
    ).to.equal(204);
    expect((await answers.call('POST', '/auth/logout-all', { token: refreshed.body.access_token })).status).to.equal(
      204,
    );
    expect((await answers.call('POST', '/auth/logout-all')).status).to.equal(401);
  });

  it('a wrong password is 401, then 429 once over the limit', async () => {
    const username = uniqueUsername('Doc');
    await answers.call('POST', '/auth/register', { body: { username, password: PASSWORD } });
    const statuses = [];
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const refused = await answers.call('POST', '/auth/login', { body: { username, password: 'wrong password' } });
      statuses.push(refused.status);
    }
    expect(statuses).to.deep.equal([401, 401, 429]);
  });

  it('logout answers 503 when the broker does not confirm login.ended', async () => {
    const username = uniqueUsername('Doc');
    await answers.call('POST', '/auth/register', { body: { username, password: PASSWORD } });
    const pair = await answers.call('POST', '/auth/login', { body: { username, password: PASSWORD } });
    // A queue that refuses every message makes the broker nack the event.
    const connection = await amqp.connect(testConfig().rabbitmqUrl);
    try {
      const channel = await connection.createChannel();
      const { queue } = await channel.assertQueue('', {
        exclusive: true,
        arguments: { 'x-max-length': 0, 'x-overflow': 'reject-publish' },
      });
      await channel.bindQueue(queue, exchanges.events.name, 'login.ended');
      const refused = await answers.call('POST', '/auth/logout', { body: { refresh_token: pair.body.refresh_token } });
      expect(refused.body.code).to.equal('BROKER_UNAVAILABLE');
    } finally {
      await connection.close();
    }
  });

  it('the JWKS, the record of ended logins and the service routes', async () => {
    const jwks = await answers.call('GET', '/auth/.well-known/jwks.json');
    expect(jwks.body.keys).to.have.length(1);
    const ended = await answers.call('GET', '/auth/ended-logins');
    expect(ended.status).to.equal(200);
    expect(ended.body.ended.length).to.be.greaterThan(0);
    expect((await answers.call('GET', '/auth/ended-logins?since=yesterday')).status).to.equal(400);
    expect((await answers.call('GET', '/healthz')).status).to.equal(200);
    expect((await answers.call('GET', '/readyz')).status).to.equal(200);
    expect((await answers.call('GET', '/metrics')).body).to.be.a('string');
  });

  it('every documented route was answered and held against the document', () => {
    expect([...answers.exercised].sort()).to.deep.equal([...answers.documented()].sort());
  });
});
