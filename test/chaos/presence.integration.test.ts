import { databaseSchemas } from '@warren/shared/db';
import { eventually, type ServiceProcess } from '@warren/shared/testing';
import { expect } from 'chai';
import { SocketClient } from '../support/socket-client.ts';
import { call, PASSWORD, registerUser, type TestUser, useWarren } from '../support/warren.ts';
import { printTable } from './support.ts';

/** How many users at once, and how many registrations run side by side to make them. */
const USERS = 1000;
const REGISTERING = 16;

/**
 * Presence when instances die (issue 17, "Bad input and faults"), with the deployment's timings
 * (heartbeat 10 s, offline delay 5 s): a gateway SIGKILLed with 1000 users online has them offline
 * within 30 s, and they are back once they reconnect to the other gateway; a chat-api restarted
 * rebuilds presence from the gateways' next heartbeats and its deny list from auth.
 */
function useWarrenWithSockets(options: Parameters<typeof useWarren>[0]) {
  const warren = useWarren(options);
  const sockets: SocketClient[] = [];
  afterEach(async () => {
    await Promise.all(sockets.splice(0).map((socket) => socket.close()));
  });
  const online = async (users: readonly TestUser[]): Promise<number> => {
    const row = await warren.db
      .withSchema(databaseSchemas.chat)
      .from('presence')
      .whereIn(
        'user_id',
        users.map((user) => user.id),
      )
      .andWhere({ online: true })
      .count<{ count: string }[]>({ count: '*' })
      .first();
    return Number(row?.count ?? 0);
  };
  const openAll = async (users: readonly TestUser[], url: string): Promise<void> => {
    for (let i = 0; i < users.length; i += 50) {
      const opened = await Promise.all(users.slice(i, i + 50).map((user) => SocketClient.ready(url, user.token)));
      sockets.push(...opened);
    }
  };
  return { warren, sockets, online, openAll };
}

describe('presence when a gateway dies (deployment timings)', () => {
  // Every login comes from 127.0.0.1: lift auth's limit per address for the thousand.
  const { warren, sockets, online, openAll } = useWarrenWithSockets({
    env: { auth: { LOGIN_MAX_ATTEMPTS_PER_ADDRESS: '1000000' } },
  });
  let gateway2: ServiceProcess;

  before(async function () {
    this.timeout(120_000);
    gateway2 = await warren.startAnother('ws-gateway');
  });
  const gatewayUrl = (gateway: ServiceProcess) => `ws://127.0.0.1:${gateway.port}/ws`;

  it(`a gateway SIGKILLed with ${USERS} users online: offline within 30 s, back on the other gateway`, async function () {
    this.timeout(300_000);
    const users: TestUser[] = [];
    for (let i = 0; i < USERS; i += REGISTERING) {
      const batch = Math.min(REGISTERING, USERS - i);
      users.push(
        ...(await Promise.all(
          Array.from({ length: batch }, () => registerUser(warren.authUrl, warren.chatUrl, 'online')),
        )),
      );
    }
    await openAll(users, gatewayUrl(gateway2));
    await eventually(async () => (await online(users)) === USERS, { timeoutMs: 60_000 });

    const killedAt = Date.now();
    await gateway2.kill();
    sockets.splice(0);
    await eventually(async () => (await online(users)) === 0, { timeoutMs: 60_000, intervalMs: 250 });
    const offlineAfterMs = Date.now() - killedAt;

    const reconnectedAt = Date.now();
    await openAll(users, warren.gatewayUrl);
    await eventually(async () => (await online(users)) === USERS, { timeoutMs: 60_000, intervalMs: 250 });
    const backAfterMs = Date.now() - reconnectedAt;
    printTable(
      [`${USERS} users on a gateway that is SIGKILLed`, 'seconds'],
      [
        ['all offline, from the kill (at most 30)', (offlineAfterMs / 1000).toFixed(1)],
        ['all online again, from reconnecting to the other gateway', (backAfterMs / 1000).toFixed(1)],
      ],
    );
    expect(offlineAfterMs, 'HTTP.md: within 30 s when a gateway dies without saying goodbye').to.be.below(30_000);
  });
});

describe('presence and sign-out when chat-api restarts', () => {
  // The restarted chat-api reconciles after its warm-up, which must span a heartbeat: 3 s and 1 s
  // instead of 20 s and 10 s keep the test short.
  const { warren, online, openAll } = useWarrenWithSockets({
    env: { 'chat-api': { PRESENCE_WARMUP_MS: '3000' }, 'ws-gateway': { PRESENCE_HEARTBEAT_MS: '1000' } },
  });

  it("a restarted chat-api rebuilds presence from the gateways' heartbeats and refuses logins that ended while it was down", async function () {
    this.timeout(120_000);
    const [stays, leaves] = [
      await registerUser(warren.authUrl, warren.chatUrl, 'stays'),
      await registerUser(warren.authUrl, warren.chatUrl, 'leaves'),
    ];
    const login = await call(`${warren.authUrl}/auth/login`, 'POST', undefined, {
      username: stays.username,
      password: PASSWORD,
    });
    const ending = { token: login.body.access_token as string, refreshToken: login.body.refresh_token as string };
    expect((await warren.api(stays, 'POST', '/api/direct', { username: leaves.username })).status).to.equal(200);
    await openAll([stays], warren.gatewayUrl);
    const [leaving] = await Promise.all([SocketClient.ready(warren.gatewayUrl, leaves.token)]);
    await eventually(async () => (await online([stays, leaves])) === 2);

    await warren.chat.kill();
    // While no chat-api runs: a socket closes and a login ends; nobody hears either.
    await leaving?.close();
    const loggedOut = await call(`${warren.authUrl}/auth/logout`, 'POST', undefined, {
      refresh_token: ending.refreshToken,
    });
    expect(loggedOut.status).to.equal(204);

    const restarted = await warren.startAnother('chat-api');
    await eventually(async () => (await call(`${restarted.url}/api/sessions`, 'GET', stays.token)).status === 200);
    expect((await call(`${restarted.url}/api/sessions`, 'GET', ending.token)).status, 'ended login').to.equal(401);
    await eventually(async () => (await online([leaves])) === 0, { timeoutMs: 30_000, intervalMs: 250 });
    expect(await online([stays]), 'still online, from the heartbeats').to.equal(1);
    const presence = await call(`${restarted.url}/api/presence?user_ids=${leaves.id}`, 'GET', stays.token);
    expect(presence.body.users).to.have.length(1);
    expect(presence.body.users[0]).to.deep.include({ id: leaves.id, online: false });
    expect(presence.body.users[0].last_seen_at).to.be.a('string');
  });
});
