import { once } from 'node:events';
import { eventually, type ServiceProcess } from '@warren/shared/testing';
import { expect } from 'chai';
import WebSocket from 'ws';
import { type Frame, SocketClient } from '../support/socket-client.ts';
import { call, PASSWORD, registerEach, type TestUser, uniqueName, useWarren } from '../support/warren.ts';

/** A login of a user: its access token (with its own `sid`) and refresh token. */
interface Login {
  readonly user: TestUser;
  readonly token: string;
  readonly refreshToken: string;
}

/**
 * HTTP.md "Presence" and "Signing out everywhere it matters" through the real services, over two
 * ws-gateway and two chat-api instances: presence is one state whichever gateway holds the sockets
 * and whichever chat-api answers, each flip published once; a login that ends is refused by every
 * chat-api and its sockets on every gateway are closed with 4001.
 */
describe('presence and signing out over two gateways and two chat-api instances (end to end)', () => {
  const warren = useWarren({
    env: {
      // Short, so the test waits for a flip in well under a second; the defaults are 5 s and 20 s.
      'chat-api': { PRESENCE_OFFLINE_DELAY_MS: '300', PRESENCE_WARMUP_MS: '1000' },
      'ws-gateway': { PRESENCE_HEARTBEAT_MS: '1000' },
    },
  });
  let chat2: ServiceProcess;
  let gateway2: ServiceProcess;
  const sockets: SocketClient[] = [];

  before(async function () {
    this.timeout(120_000);
    [chat2, gateway2] = await Promise.all([warren.startAnother('chat-api'), warren.startAnother('ws-gateway')]);
  });
  afterEach(async () => {
    await Promise.all(sockets.splice(0).map((socket) => socket.close()));
  });

  const gatewayUrls = () => [warren.gatewayUrl, `ws://127.0.0.1:${gateway2.port}/ws`];
  const chatUrls = () => [warren.chatUrl, chat2.url];
  const open = async (gateway: 0 | 1, token: string): Promise<SocketClient> => {
    const socket = await SocketClient.ready(gatewayUrls()[gateway] as string, token);
    sockets.push(socket);
    return socket;
  };
  const presenceOf = (frame: Frame, userId: string) =>
    frame.type === 'event' && frame.event === 'presence' && frame.data.user_id === userId;

  /** Opens a socket, authenticates with `token` and resolves with the code the gateway closes it with. */
  async function closeCodeOf(url: string, token: string): Promise<number> {
    const socket = new WebSocket(url);
    const closed = once(socket, 'close');
    await once(socket, 'open');
    socket.send(JSON.stringify({ type: 'auth', token }));
    const [code] = (await closed) as [number];
    return code;
  }

  async function login(user: TestUser): Promise<Login> {
    const answer = await call(`${warren.authUrl}/auth/login`, 'POST', undefined, {
      username: user.username,
      password: PASSWORD,
    });
    expect(answer.status, JSON.stringify(answer.body)).to.equal(200);
    return { user, token: answer.body.access_token, refreshToken: answer.body.refresh_token };
  }

  it('keeps a user online while a socket is open on either gateway, each flip published once', async () => {
    const [alice, bob] = await registerEach(warren, 'alice', 'bob');
    const session = await warren.createSession(alice, [bob]);
    const watcher = await open(0, bob.token);

    const onGateway1 = await open(0, alice.token);
    const online = await watcher.waitFor((frame) => presenceOf(frame, alice.id) && frame.data.online);
    expect(online.data).to.deep.include({ session_id: session, online: true, last_seen_at: null });
    const onGateway2 = await open(1, alice.token);
    await onGateway1.close();
    await onGateway2.close();
    const offline = await watcher.waitFor((frame) => presenceOf(frame, alice.id) && !frame.data.online);
    expect(offline.data.last_seen_at).to.be.a('string');

    // Both instances answer the same state.
    for (const url of chatUrls()) {
      const answer = await call(`${url}/api/presence?user_ids=${alice.id}`, 'GET', bob.token);
      expect(answer.body.users, url).to.deep.equal([
        { id: alice.id, online: false, last_seen_at: offline.data.last_seen_at },
      ]);
      const detail = await call(`${url}/api/sessions/${session}`, 'GET', bob.token);
      const member = detail.body.members.find((each: { user: { id: string } }) => each.user.id === alice.id);
      expect(member, url).to.deep.include({ online: false, last_seen_at: offline.data.last_seen_at });
    }
    // One online and one offline: closing the first socket flipped nothing, and each flip went out
    // once although two chat-api instances heard the reports. The watcher's own presence came first.
    const flips = watcher.frames.filter((frame) => presenceOf(frame, alice.id));
    expect(flips.map((frame) => frame.data.online)).to.deep.equal([true, false]);
  });

  it("ends one login everywhere: 4001 on both gateways, 401 from both chat-api instances; the user's other login goes on", async () => {
    const [alice, bob] = await registerEach(warren, 'alice', 'bob');
    const session = await warren.createSession(alice, [bob]);
    const [phone, laptop] = [await login(alice), await login(alice)];
    const phoneSockets = [await open(0, phone.token), await open(1, phone.token)];
    const laptopSocket = await open(1, laptop.token);

    const loggedOut = await call(`${warren.authUrl}/auth/logout`, 'POST', undefined, {
      refresh_token: phone.refreshToken,
    });
    expect(loggedOut.status).to.equal(204);
    const endedAt = performance.now();
    const closedAfterMs = await Promise.all(
      phoneSockets.map(async (socket) => {
        expect((await socket.closed).code).to.equal(4001);
        return performance.now() - endedAt;
      }),
    );
    const refusedAfterMs = await Promise.all(
      chatUrls().map(async (url) => {
        await eventually(async () => (await call(`${url}/api/sessions`, 'GET', phone.token)).status === 401, {
          intervalMs: 10,
        });
        return performance.now() - endedAt;
      }),
    );
    console.log(
      `      login ended → 4001 on both gateways after ${closedAfterMs.map((ms) => ms.toFixed(0)).join(', ')} ms; ` +
        `401 from both chat-api after ${refusedAfterMs.map((ms) => ms.toFixed(0)).join(', ')} ms (HTTP.md: within 1 s)`,
    );
    // The closes are the event's own effect, so they are held to HTTP.md's bound; the 401s are printed.
    for (const ms of closedAfterMs) expect(ms, 'HTTP.md: within 1 s').to.be.below(1000);
    for (const url of chatUrls()) {
      expect((await call(`${url}/api/sessions`, 'GET', laptop.token)).status, url).to.equal(200);
    }
    // A new socket with the ended login's token is refused too, on either gateway.
    for (const url of gatewayUrls()) expect(await closeCodeOf(url, phone.token), url).to.equal(4001);

    // The laptop's socket still delivers.
    const posted = await call(`${warren.chatUrl}/api/sessions/${session}/messages`, 'POST', bob.token, {
      content: uniqueName('still here'),
    });
    expect(posted.status).to.equal(202);
    await laptopSocket.message(posted.body.message.id);

    const everywhere = await call(`${warren.authUrl}/auth/logout-all`, 'POST', laptop.token);
    expect(everywhere.status).to.equal(204);
    expect((await laptopSocket.closed).code).to.equal(4001);
    for (const url of chatUrls()) {
      await eventually(async () => (await call(`${url}/api/sessions`, 'GET', laptop.token)).status === 401);
    }
  });
});
