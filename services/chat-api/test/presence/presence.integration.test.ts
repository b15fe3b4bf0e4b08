import { randomUUID } from 'node:crypto';
import { eventKeys, exchanges, names } from '@warren/shared/amqp';
import type { ConsumeMessage } from 'amqplib';
import { expect } from 'chai';
import type { ChatApiService } from '../../src/index.ts';
import type { PresenceFlip } from '../../src/presence/presence-aggregate.ts';
import { startTestChatApi, type TestUser, useChatApi } from '../support/chat-api-harness.ts';
import { FakeGateway } from '../support/fake-gateway.ts';
import { ignoredBy, publishAs } from '../support/publish-as.ts';
import { bodyOf, Tap } from '../support/tap.ts';

const HEARTBEAT_MS = 200;
/** Short delays, so that a test waits for flips in well under a second; the logic is the same. */
const env = { PRESENCE_OFFLINE_DELAY_MS: '1000', PRESENCE_GATEWAY_GRACE_MS: '200', PRESENCE_WARMUP_MS: '500' };

describe('presence across gateway instances and chat-api instances', () => {
  const h = useChatApi(env);
  const [alice, bob, carol, erin, frank, gina, hugo, ivy, stranger] = h.users(
    'alice',
    'bob',
    'carol',
    'erin',
    'frank',
    'gina',
    'hugo',
    'ivy',
    'stranger',
  );
  let other: ChatApiService;
  let sessionId: string;
  let tap: Tap;
  const gateways: FakeGateway[] = [];

  const gateway = async (as?: 'auth') => {
    const opened = await FakeGateway.open({ heartbeatMs: HEARTBEAT_MS, ...(as === undefined ? {} : { as }) });
    gateways.push(opened);
    return opened;
  };
  const isPresence = (user: TestUser, online?: boolean) => (message: ConsumeMessage) =>
    message.properties.type === 'presence' &&
    bodyOf(message).user_id === user.id &&
    (online === undefined || bodyOf(message).online === online);
  /** Every presence event of `user` the tap got, once all that was published has arrived. */
  const presenceOf = async (user: TestUser) => (await tap.settle()).filter(isPresence(user)).map(bodyOf);
  /** Resolves when `service` has written `user`'s flip to `online` (whether its statement changed the row or not). */
  const settled = (service: ChatApiService, user: TestUser, online: boolean) =>
    new Promise<void>((resolve) => {
      const listener = (flip: PresenceFlip) => {
        if (flip.userId !== user.id || flip.online !== online) return;
        service.presence.off('settled', listener);
        resolve();
      };
      service.presence.on('settled', listener);
    });
  const presenceRoute = (user_ids: string, as: TestUser = alice) => h.api(as).get(`/api/presence?user_ids=${user_ids}`);

  before(async () => {
    other = await startTestChatApi(h.issuer.url, env);
    const created = await h.api(alice).post('/api/sessions', {
      members: [bob, carol, erin, frank, gina, hugo, ivy].map((user) => user.username),
    });
    expect(created.status).to.equal(201);
    sessionId = created.body.id;
    tap = await Tap.open(names.sessionExchange(sessionId));
  });
  after(async () => {
    for (const opened of gateways) await opened.close();
    await tap?.close();
    await other?.stop();
  });

  it('flips a user online at once, published once although two chat-api instances heard it', async () => {
    const gw = await gateway();
    gw.beat(true);
    const bothSettled = Promise.all([settled(h.chat, bob, true), settled(other, bob, true)]);
    await gw.opened(bob.id);
    await tap.waitFor(isPresence(bob, true));
    await bothSettled;
    expect(await presenceOf(bob)).to.deep.equal([
      { session_id: sessionId, user_id: bob.id, online: true, last_seen_at: null },
    ]);

    const answer = await presenceRoute(`${bob.id},${carol.id},${stranger.id}`);
    expect(answer.status).to.equal(200);
    expect(answer.body.users, 'the stranger, who shares no session with alice, is left out').to.have.deep.members([
      { id: bob.id, online: true, last_seen_at: null },
      { id: carol.id, online: false, last_seen_at: null },
    ]);
    const detail = await h.api(alice).get(`/api/sessions/${sessionId}`);
    const member = (user: TestUser) => detail.body.members.find((m: { user: { id: string } }) => m.user.id === user.id);
    expect(member(bob)).to.include({ online: true, last_seen_at: null });
    expect(member(carol)).to.include({ online: false, last_seen_at: null });

    const goneAt = await gw.goodbye();
    const offline = bodyOf(await tap.waitFor(isPresence(bob, false)));
    expect(offline).to.deep.equal({ session_id: sessionId, user_id: bob.id, online: false, last_seen_at: goneAt });
    expect((await presenceRoute(bob.id)).body.users).to.deep.equal([
      { id: bob.id, online: false, last_seen_at: goneAt },
    ]);
  });

  it('flips nothing for a reconnect quicker than the offline delay', async () => {
    const gw = await gateway();
    gw.beat(true);
    await gw.opened(carol.id);
    await tap.waitFor(isPresence(carol, true));
    await gw.closed(carol.id);
    await gw.opened(carol.id);
    const goneAt = await gw.goodbye();
    await tap.waitFor(isPresence(carol, false));
    // Had the quick reconnect flipped, an offline seen at its close and an online would be between.
    expect(await presenceOf(carol)).to.deep.equal([
      { session_id: sessionId, user_id: carol.id, online: true, last_seen_at: null },
      { session_id: sessionId, user_id: carol.id, online: false, last_seen_at: goneAt },
    ]);
  });

  it('has the users of a gateway that falls silent go offline, last seen at its last report', async () => {
    const gw = await gateway();
    const openedAt = await gw.opened(erin.id);
    await tap.waitFor(isPresence(erin, true));
    // No heartbeat, no goodbye: dead after 2 × 200 ms + grace, offline after the delay.
    const offline = bodyOf(await tap.waitFor(isPresence(erin, false)));
    expect(offline.last_seen_at).to.equal(openedAt);
    expect((await presenceRoute(erin.id)).body.users).to.deep.equal([
      { id: erin.id, online: false, last_seen_at: openedAt },
    ]);
  });

  it('keeps a user with sockets on two gateways online until the last one lets go', async () => {
    const [first, second] = [await gateway(), await gateway()];
    first.beat(true);
    second.beat(true);
    await first.opened(frank.id);
    await tap.waitFor(isPresence(frank, true));
    await second.opened(frank.id);
    await first.goodbye();
    const goneAt = await second.goodbye();
    await tap.waitFor(isPresence(frank, false));
    expect(await presenceOf(frank)).to.deep.equal([
      { session_id: sessionId, user_id: frank.id, online: true, last_seen_at: null },
      { session_id: sessionId, user_id: frank.id, online: false, last_seen_at: goneAt },
    ]);
  });

  it('ignores a presence report from any AMQP user but the ws-gateway’s, or naming another instance', async () => {
    const forger = await gateway('auth');
    const untrusted = [h.chat, other].map((service) => ignoredBy(service, eventKeys.presenceAll));
    await forger.opened(gina.id);
    expect(await Promise.all(untrusted)).to.deep.equal(['untrusted', 'untrusted']);

    const invalid = [h.chat, other].map((service) => ignoredBy(service, eventKeys.presenceAll));
    await publishAs('ws-gateway', exchanges.events.name, eventKeys.presence(randomUUID()), {
      instance: randomUUID(),
      kind: 'changes',
      online: [gina.id],
      offline: [],
      at: new Date().toISOString(),
      heartbeat_ms: HEARTBEAT_MS,
    });
    expect(await Promise.all(invalid)).to.deep.equal(['invalid', 'invalid']);

    expect(await presenceOf(gina)).to.deep.equal([]);
    expect((await presenceRoute(gina.id)).body.users).to.deep.equal([
      { id: gina.id, online: false, last_seen_at: null },
    ]);
  });

  it('a chat-api started later learns who is online from the heartbeats, and reconciles the rest after its warmup', async () => {
    const gw = await gateway();
    gw.beat(true);
    await gw.opened(hugo.id);
    await tap.waitFor(isPresence(hugo, true));
    // Stored online, held by no gateway: went while no chat-api listened.
    await h.db.raw('insert into chat.presence (user_id, online) values (?, true)', [ivy.id]);
    const late = await startTestChatApi(h.issuer.url, env);
    try {
      const offline = bodyOf(await tap.waitFor(isPresence(ivy, false)));
      expect(offline.last_seen_at).to.be.a('string');
      const goneAt = await gw.goodbye();
      await tap.waitFor(isPresence(hugo, false));
      expect(await presenceOf(hugo), 'hugo stayed online throughout').to.deep.equal([
        { session_id: sessionId, user_id: hugo.id, online: true, last_seen_at: null },
        { session_id: sessionId, user_id: hugo.id, online: false, last_seen_at: goneAt },
      ]);
      expect(await presenceOf(ivy)).to.have.length(1);
    } finally {
      await late.stop();
    }
  });

  it('answers 400 to GET /api/presence without 1 to 200 user ids', async () => {
    const ids = (count: number) => Array.from({ length: count }, () => randomUUID()).join(',');
    for (const query of ['', '?user_ids=', `?user_ids=${ids(201)}`, '?user_ids=not-a-uuid', `?user_ids=${ids(1)},`]) {
      const answer = await h.api(alice).get(`/api/presence${query}`);
      expect(answer.status, query.slice(0, 40)).to.equal(400);
      expect(answer.body).to.include({ code: 'INVALID_REQUEST' });
    }
    const most = await h.api(alice).get(`/api/presence?user_ids=${ids(199)},${bob.id}`);
    expect(most.status).to.equal(200);
    expect(most.body.users.map((user: { id: string }) => user.id)).to.deep.equal([bob.id]);
    expect((await h.api(stranger).get(`/api/presence?user_ids=${bob.id}`)).body).to.deep.equal({ users: [] });
  });
});
