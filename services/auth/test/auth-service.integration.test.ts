import { once } from 'node:events';
import { exchanges, queues } from '@warren/shared/amqp';
import { ManagementClient } from '@warren/shared/management';
import { AmqpTap, eventually, rejectionOf, testConfig } from '@warren/shared/testing';
import amqp from 'amqplib';
import { expect } from 'chai';
import { startTestAuth, type TestAuth, uniqueUsername } from './support/start-auth.ts';

const PASSWORD = 'correct horse battery';

describe('auth service', () => {
  let events: AmqpTap;
  const management = () => new ManagementClient(testConfig().managementUrl);

  before(async () => {
    events = await AmqpTap.open(exchanges.events.name, { routingKey: 'user.*' });
  });
  after(async () => {
    await events?.close();
  });

  describe('with its broker connection', () => {
    let auth: TestAuth;
    before(async () => {
      auth = await startTestAuth();
    });
    after(async () => {
      await auth?.service.stop();
    });

    /** auth's connections as the management API lists them (its view lags by a few seconds). */
    const authConnections = () =>
      eventually(async () => {
        const connections = await management().connections(testConfig().vhost);
        const mine = connections.filter((c) => c.client_properties?.connection_name === 'auth');
        return mine.length > 0 && mine;
      });

    it('names its connection `auth` in the management UI', async () => {
      const [connection] = await authConnections();
      expect(connection?.client_properties?.connection_name).to.equal('auth');
    });

    it('survives an operator closing its connection: it reconnects and the next registration publishes', async () => {
      const mine = await authConnections();
      const reconnected = once(auth.service.amqp, 'connected');
      for (const connection of mine) await management().closeConnection(connection.name, 'test: operator closes auth');
      await reconnected;

      const username = uniqueUsername('After');
      const response = await auth.post('/auth/register', { username, password: PASSWORD });
      expect(response.status).to.equal(201);
      const message = await events.waitFor((m) => JSON.parse(m.content.toString()).user.id === response.body.user.id);
      expect(message.fields.routingKey).to.equal('user.registered');
      expect((await auth.get('/readyz')).status).to.equal(200);
    });

    it('answers 503 and keeps no user when the broker cannot route user.registered', async () => {
      const connection = await amqp.connect(testConfig().rabbitmqUrl);
      const channel = await connection.createChannel();
      // Unbind every queue that takes user.* so the publish comes back unroutable (mandatory).
      await events.setBound(false);
      await channel.unbindQueue(queues.chatApiUsers.name, exchanges.events.name, 'user.*');
      const username = uniqueUsername('Unrouted');
      try {
        const refused = await auth.post('/auth/register', { username, password: PASSWORD });
        expect(refused.status).to.equal(503);
        expect(refused.body.code).to.equal('BROKER_UNAVAILABLE');
      } finally {
        await events.setBound(true);
        await channel.bindQueue(queues.chatApiUsers.name, exchanges.events.name, 'user.*');
        await connection.close();
      }
      // The user was rolled back, so the same registration succeeds once the broker routes again.
      expect((await auth.post('/auth/login', { username, password: PASSWORD })).status).to.equal(401);
      expect((await auth.post('/auth/register', { username, password: PASSWORD })).status).to.equal(201);
    });
  });

  it('keeps its generated signing key across restarts', async () => {
    const first = await startTestAuth();
    const firstKeys = (await first.get('/auth/.well-known/jwks.json')).body.keys;
    await first.service.stop();
    const second = await startTestAuth({ DATA_DIR: first.dataDir });
    try {
      expect((await second.get('/auth/.well-known/jwks.json')).body.keys).to.deep.equal(firstKeys);
    } finally {
      await second.service.stop();
    }
  });

  it('limits login attempts per client address', async () => {
    const auth = await startTestAuth({ LOGIN_MAX_ATTEMPTS_PER_ADDRESS: '3' });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i += 1) {
        statuses.push((await auth.post('/auth/login', { username: uniqueUsername(), password: PASSWORD })).status);
      }
      expect(statuses).to.deep.equal([401, 401, 401, 429]);
    } finally {
      await auth.service.stop();
    }
  });

  it('limits registrations per client address: over it, 429 with Retry-After and no user made', async () => {
    // TRUST_PROXY 1: X-Forwarded-For names the client, so the test can be two addresses.
    const auth = await startTestAuth({ REGISTER_MAX_PER_ADDRESS: '2', REGISTER_WINDOW_SEC: '600', TRUST_PROXY: '1' });
    const from = (address: string) => ({ 'x-forwarded-for': address });
    const register = (username: string, address = '198.51.100.1') =>
      auth.post('/auth/register', { username, password: PASSWORD }, from(address));
    try {
      const first = uniqueUsername('Quota');
      expect((await register(first)).status).to.equal(201);
      // A body the schema refuses costs no hash and does not count; a taken name does.
      expect((await register('no')).status).to.equal(400);
      expect((await register(first)).status).to.equal(409);

      const refused = uniqueUsername('Over');
      const over = await register(refused);
      expect(over.status).to.equal(429);
      expect(over.headers.get('content-type')).to.match(/^application\/problem\+json/);
      expect(over.body.code).to.equal('TOO_MANY_REGISTRATIONS');
      const retryAfter = Number(over.headers.get('retry-after'));
      expect(retryAfter).to.be.greaterThan(0).and.at.most(600);
      // No user was made: its name logs in to nothing and is free for another address.
      expect((await auth.post('/auth/login', { username: refused, password: PASSWORD })).status).to.equal(401);
      expect((await register(refused, '198.51.100.2')).status).to.equal(201);
    } finally {
      await auth.service.stop();
    }
  });

  it('refuses to start, naming the URL, when the broker cannot be reached', async () => {
    const error = await rejectionOf(startTestAuth({ RABBITMQ_URL: 'amqp://warren:secret@127.0.0.1:1/' }));
    expect(error?.message).to.include('amqp://warren:***@127.0.0.1:1/').and.include('RABBITMQ_URL');
  });

  it('refuses to start, naming the URL, when the database cannot be reached', async () => {
    const error = await rejectionOf(startTestAuth({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/warren' }));
    expect(error?.message).to.include('postgres://postgres@127.0.0.1:1/warren').and.include('DATABASE_URL');
  });
});
