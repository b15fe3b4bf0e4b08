import { once } from 'node:events';
import { eventually, testConfig } from '@warren/shared/testing';
import { expect } from 'chai';
import { type TestUser, useIssuer } from './support/auth.ts';
import { TestBroker } from './support/broker.ts';
import { TestClient } from './support/client.ts';
import { useGateway } from './support/gateway.ts';
import { closeGatewayConnections, gatewayConnections, management } from './support/operator.ts';

/** The run vhost's queues whose names start with `prefix`. */
async function queuesStartingWith(prefix: string): Promise<string[]> {
  const vhost = encodeURIComponent(testConfig().vhost);
  const queues = await management().request<{ name: string }[]>('GET', `/queues/${vhost}?columns=name`);
  return queues.map((queue) => queue.name).filter((name) => name.startsWith(prefix));
}

describe('ws-gateway service', () => {
  const auth = useIssuer();
  let broker: TestBroker;
  before(async () => {
    broker = await TestBroker.start();
  });
  after(async () => {
    await broker?.stop();
  });

  describe('delivering', () => {
    const gateway = useGateway(auth);
    const [alice, bob, carol] = [auth.user('alice'), auth.user('bob'), auth.user('carol')];
    const clients: TestClient[] = [];
    const connect = async (user: TestUser) => {
      const client = await TestClient.ready(gateway.wsUrl, user.token);
      clients.push(client);
      return client;
    };

    afterEach(async () => {
      await Promise.all(clients.splice(0).map((client) => client.close()));
    });

    it('sends ready with the user and the connection id', async () => {
      const client = await TestClient.open(gateway.wsUrl);
      clients.push(client);
      client.send({ type: 'auth', token: alice.token });
      const ready = await client.next();
      expect(ready).to.deep.equal({
        type: 'ready',
        user: { id: alice.id, username: alice.username },
        connection_id: ready.connection_id,
      });
      expect(ready.connection_id).to.match(/^[0-9a-f-]{36}$/);
    });

    it("sends a session's message to every member's sockets, every tab of a user, as decodeDelivery reads it", async () => {
      const [aliceTab1, aliceTab2, bobTab] = [await connect(alice), await connect(alice), await connect(bob)];
      const session = await broker.createSession([alice.id, bob.id]);
      const expected = await broker.publishMessage(session, alice, 'hello, everyone');
      for (const client of [aliceTab1, aliceTab2, bobTab]) {
        const frame = await client.message(expected.id);
        expect(frame).to.deep.equal({ type: 'message', session_id: session, message: expected });
        expect(frame.message.author).to.deep.equal({ kind: 'user', id: alice.id, username: alice.username });
      }
    });

    it("sends nothing to a non-member's socket", async () => {
      const [aliceClient, carolClient] = [await connect(alice), await connect(carol)];
      const theirs = await broker.createSession([alice.id]);
      const hers = await broker.createSession([alice.id, carol.id]);
      const secret = await broker.publishMessage(theirs, alice, 'carol must not see this');
      const marker = await broker.publishMessage(hers, alice, 'carol sees this');
      await aliceClient.message(secret.id);
      // One queue per connection keeps publish order: what came before the marker has arrived.
      await carolClient.message(marker.id);
      expect(carolClient.messages(theirs)).to.deep.equal([]);
    });

    it('stops delivering once the member leaves, and starts when a user joins, without reconnecting', async () => {
      const [aliceClient, bobClient] = [await connect(alice), await connect(bob)];
      const session = await broker.createSession([alice.id]);
      const marker = await broker.createSession([bob.id]);

      const before = await broker.publishMessage(session, alice, 'before bob joins');
      await broker.join(session, bob.id);
      const joined = await broker.publishMessage(session, alice, 'after bob joins');
      expect((await bobClient.message(joined.id)).session_id).to.equal(session);
      expect(bobClient.messages(session).map((f) => f.message.id)).to.deep.equal([joined.id]);

      await broker.leave(session, bob.id);
      const after = await broker.publishMessage(session, alice, 'after bob leaves');
      const last = await broker.publishMessage(marker, bob, 'marker');
      await bobClient.message(last.id);
      expect(bobClient.messages(session).map((f) => f.message.id)).to.deep.equal([joined.id]);
      for (const message of [before, joined, after]) await aliceClient.message(message.id);
    });

    it("sends a bot's raw message to every member, with the id, author and created_at decodeDelivery derives", async () => {
      const [aliceClient, bobClient] = [await connect(alice), await connect(bob)];
      const session = await broker.createSession([alice.id, bob.id]);
      // No message_id, a plain-text body and a timestamp: the id is derived, created_at is the timestamp.
      const expected = await broker.publishAsBot(session, 'weather: sunny', { timestamp: 1_700_000_000 });
      if (!expected.ok || expected.kind !== 'message') throw new Error('the bot message does not decode');
      expect(expected.message.author).to.deep.equal({ kind: 'bot', name: broker.botUser });
      for (const client of [aliceClient, bobClient]) {
        const frame = await client.message(expected.message.id);
        expect(frame.message).to.deep.equal(expected.message);
        expect(frame.message.created_at).to.equal('2023-11-14T22:13:20.000Z');
      }
    });

    it('does not deliver an invalid message (content over 4000 characters) and counts it', async () => {
      const [aliceClient, bobClient] = [await connect(alice), await connect(bob)];
      const session = await broker.createSession([alice.id, bob.id]);
      const invalidBefore = await gateway.metric('warren_ws_deliveries_invalid_total', { reason: 'content_too_long' });
      const invalid = await broker.publishAsBot(session, 'x'.repeat(4001));
      expect(invalid).to.include({ ok: false, code: 'content_too_long' });
      const valid = await broker.publishMessage(session, alice, 'after the invalid one');
      for (const client of [aliceClient, bobClient]) {
        await client.message(valid.id);
        expect(client.messages(session).map((f) => f.message.id)).to.deep.equal([valid.id]);
      }
      const invalidAfter = await gateway.metric('warren_ws_deliveries_invalid_total', { reason: 'content_too_long' });
      expect(invalidAfter - invalidBefore).to.equal(2);
    });

    it('sends session events as event frames', async () => {
      const [aliceClient, bobClient] = [await connect(alice), await connect(bob)];
      const session = await broker.createSession([alice.id, bob.id]);
      const events = [
        {
          event: 'member.joined',
          data: { session_id: session, user: { id: bob.id, username: bob.username }, version: 2 },
        },
        {
          event: 'read',
          data: { session_id: session, user_id: bob.id, message_id: '018f3a2b-7c4d-7e5f-8a9b-0c1d2e3f4a5b' },
        },
        { event: 'typing', data: { session_id: session, user: { id: alice.id, username: alice.username } } },
        { event: 'member.left', data: { session_id: session, user_id: bob.id, version: 3 } },
      ] as const;
      for (const { event, data } of events) {
        await broker.publishEvent(session, event, data, event === 'typing' ? 5000 : undefined);
      }
      for (const client of [aliceClient, bobClient]) {
        for (const { event, data } of events) {
          expect(await client.next((f) => f.type === 'event' && f.event === event)).to.deep.equal({
            type: 'event',
            session_id: session,
            event,
            data,
          });
        }
      }
    });

    it('does not deliver an event a bot forged', async () => {
      const aliceClient = await connect(alice);
      const session = await broker.createSession([alice.id]);
      const forged = await broker.publishAsBot(session, JSON.stringify({ session_id: session }), {
        type: 'session.deleted',
        contentType: 'application/json',
      });
      expect(forged).to.include({ ok: false, code: 'untrusted_event' });
      const marker = await broker.publishMessage(session, alice, 'marker');
      await aliceClient.message(marker.id);
      expect(aliceClient.frames.filter((f) => f.type === 'event')).to.deep.equal([]);
    });

    it('sends replies with their reply_to, and edits, deletes and reactions as event frames', async () => {
      const [aliceClient, bobClient] = [await connect(alice), await connect(bob)];
      const session = await broker.createSession([alice.id, bob.id]);
      const root = await broker.publishMessage(session, alice, 'lunch?');
      const reply = await broker.publishMessage(session, bob, 'yes', root.id);
      expect(reply.reply_to).to.equal(root.id);
      const target = { session_id: session, message_id: root.id };
      const reaction = { ...target, emoji: '🍕', user: { id: bob.id, username: bob.username } };
      const events = [
        { event: 'message.edited', data: { ...target, content: 'lunch at 12?', edited_at: new Date().toISOString() } },
        { event: 'reaction.added', data: reaction },
        { event: 'reaction.removed', data: reaction },
        { event: 'message.deleted', data: { ...target, deleted_at: new Date().toISOString() } },
      ] as const;
      for (const { event, data } of events) await broker.publishEvent(session, event, data);
      for (const client of [aliceClient, bobClient]) {
        expect((await client.message(reply.id)).message).to.deep.equal(reply);
        for (const { event, data } of events) {
          expect(await client.next((f) => f.type === 'event' && f.event === event)).to.deep.equal({
            type: 'event',
            session_id: session,
            event,
            data,
          });
        }
      }
    });

    it('does not deliver an edit, delete or reaction a bot forged, nor a malformed one from chat-api', async () => {
      const aliceClient = await connect(alice);
      const session = await broker.createSession([alice.id]);
      const root = await broker.publishMessage(session, alice, 'the original');
      await aliceClient.message(root.id);
      const target = { session_id: session, message_id: root.id };
      const forgeries = [
        { type: 'message.edited', body: { ...target, content: 'pwned', edited_at: new Date().toISOString() } },
        { type: 'message.deleted', body: { ...target, deleted_at: new Date().toISOString() } },
        { type: 'reaction.added', body: { ...target, emoji: '💩', user: { id: alice.id, username: alice.username } } },
      ];
      const untrustedBefore = await gateway.metric('warren_ws_deliveries_invalid_total', { reason: 'untrusted_event' });
      for (const { type, body } of forgeries) {
        const forged = await broker.publishAsBot(session, JSON.stringify(body), {
          type,
          contentType: 'application/json',
        });
        expect(forged, type).to.include({ ok: false, code: 'untrusted_event' });
      }
      // chat-api itself cannot get a change past the rules the persister applies either.
      const invalidBefore = await gateway.metric('warren_ws_deliveries_invalid_total', { reason: 'invalid_event' });
      await broker.publishEvent(session, 'message.edited', { ...target, content: 'no time' });
      await broker.publishEvent(session, 'reaction.added', {
        ...target,
        emoji: 'a b',
        user: { id: alice.id, username: alice.username },
      });
      const marker = await broker.publishMessage(session, alice, 'marker');
      await aliceClient.message(marker.id);
      expect(aliceClient.frames.filter((f) => f.type === 'event')).to.deep.equal([]);
      const untrustedAfter = await gateway.metric('warren_ws_deliveries_invalid_total', { reason: 'untrusted_event' });
      expect(untrustedAfter - untrustedBefore).to.equal(forgeries.length);
      const invalidAfter = await gateway.metric('warren_ws_deliveries_invalid_total', { reason: 'invalid_event' });
      expect(invalidAfter - invalidBefore).to.equal(2);
    });

    it('serializes a message fanned out to many sockets once', async () => {
      const tabs = await Promise.all(Array.from({ length: 5 }, () => connect(alice)));
      const session = await broker.createSession([alice.id]);
      const hitsBefore = await gateway.metric('warren_ws_encode_cache_lookups_total', { result: 'hit' });
      const missesBefore = await gateway.metric('warren_ws_encode_cache_lookups_total', { result: 'miss' });
      const message = await broker.publishMessage(session, alice, 'five tabs');
      for (const tab of tabs) await tab.message(message.id);
      expect(
        (await gateway.metric('warren_ws_encode_cache_lookups_total', { result: 'miss' })) - missesBefore,
      ).to.equal(1);
      expect((await gateway.metric('warren_ws_encode_cache_lookups_total', { result: 'hit' })) - hitsBefore).to.equal(
        4,
      );
    });
  });

  describe('queues', () => {
    const gateway = useGateway(auth);

    it("declares one queue per connection by the spec's name, and none is left once the sockets close", async () => {
      const user = auth.user('queues');
      const clients = [await TestClient.open(gateway.wsUrl), await TestClient.open(gateway.wsUrl)];
      const readies = await Promise.all(
        clients.map(async (client) => {
          client.send({ type: 'auth', token: user.token });
          return client.next((f) => f.type === 'ready');
        }),
      );
      const expected = readies.map((ready) => `warren.ws.${user.id}.${ready.connection_id}`).sort();
      expect((await queuesStartingWith(`warren.ws.${user.id}.`)).sort()).to.deep.equal(expected);
      await Promise.all(clients.map((client) => client.close()));
      await eventually(async () => (await queuesStartingWith(`warren.ws.${user.id}.`)).length === 0);
    });

    it('names its broker connection ws-gateway', async () => {
      const [connection] = await gatewayConnections();
      expect(connection?.client_properties?.connection_name).to.equal('ws-gateway');
      expect(connection?.user).to.equal(testConfig().users['ws-gateway'].name);
    });

    it('serves /healthz, /readyz and its metrics', async () => {
      expect((await fetch(`${gateway.httpUrl}/healthz`)).status).to.equal(200);
      const ready = await fetch(`${gateway.httpUrl}/readyz`);
      expect(ready.status).to.equal(200);
      expect(await ready.json()).to.deep.include({ checks: { rabbitmq: 'ok' } });
      const metrics = await (await fetch(`${gateway.httpUrl}/metrics`)).text();
      for (const name of [
        'warren_ws_connections',
        'warren_ws_frames_sent_total',
        'warren_ws_deliveries_invalid_total',
        'warren_ws_closes_total',
        'warren_ws_auth_closes_total',
        'warren_ws_presence_reports_total',
        'warren_ws_login_ended_events_total',
        'warren_ws_ended_logins',
      ]) {
        expect(metrics).to.include(`# TYPE ${name} `);
      }
    });
  });

  describe('losing the broker', () => {
    const gateway = useGateway(auth);

    it('closes every socket with 1011 when an operator closes its connection, and takes new ones once back', async () => {
      const [alice, bob] = [auth.user('lost'), auth.user('lost')];
      const clients = [
        await TestClient.ready(gateway.wsUrl, alice.token),
        await TestClient.ready(gateway.wsUrl, alice.token),
        await TestClient.ready(gateway.wsUrl, bob.token),
      ];
      const reconnected = once(gateway.service.amqp, 'connected');
      await closeGatewayConnections('test: operator closes ws-gateway');
      for (const client of clients) expect((await client.closed).code).to.equal(1011);
      await reconnected;

      const again = await TestClient.ready(gateway.wsUrl, alice.token);
      const session = await broker.createSession([alice.id]);
      const message = await broker.publishMessage(session, alice, 'after the broker came back');
      await again.message(message.id);
      await again.close();
      // The gateway counts a close when its side of the socket is closed, a moment after the client's.
      await eventually(async () => (await gateway.metric('warren_ws_closes_total', { code: '1011' })) === 3);
    });
  });
});
