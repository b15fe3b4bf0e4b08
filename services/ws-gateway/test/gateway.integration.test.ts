import { once } from 'node:events';
import { expect } from 'chai';
import WebSocket from 'ws';
import { useIssuer } from './support/auth.ts';
import { TestClient } from './support/client.ts';
import { startTestGateway, useGateway } from './support/gateway.ts';

/** Opens a socket that the gateway refuses: the HTTP status and problem document it answered. */
async function refusedUpgrade(
  url: string,
  origin?: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const socket = new WebSocket(url, origin === undefined ? {} : { origin });
  const [, response] = (await once(socket, 'unexpected-response')) as [unknown, import('node:http').IncomingMessage];
  let text = '';
  for await (const chunk of response) text += chunk;
  // The refused socket never opened: terminating it reports that as an error, which is expected.
  socket.on('error', () => undefined);
  socket.terminate();
  return { status: response.statusCode ?? 0, body: JSON.parse(text) };
}

const nowSec = () => Math.floor(Date.now() / 1000);

describe('gateway', () => {
  const AUTH_TIMEOUT_MS = 300;
  const auth = useIssuer();
  const gateway = useGateway(auth, {
    AUTH_TIMEOUT_MS: String(AUTH_TIMEOUT_MS),
    ALLOWED_ORIGINS: 'https://chat.example.com',
  });
  const user = auth.user('gw');

  describe('upgrades', () => {
    it('takes WebSockets on /ws only', async () => {
      const refused = await refusedUpgrade(gateway.wsUrl.replace(/\/ws$/, '/other'));
      expect(refused.status).to.equal(404);
      expect(refused.body).to.include({ status: 404, code: 'NOT_FOUND' });
    });

    it('refuses a disallowed Origin with a 403 problem document', async () => {
      const refused = await refusedUpgrade(gateway.wsUrl, 'https://evil.example.net');
      expect(refused.status).to.equal(403);
      expect(refused.body).to.include({ status: 403, code: 'ORIGIN_NOT_ALLOWED' });
    });

    it('takes an allowed Origin, and a client that sends none', async () => {
      const browser = await TestClient.open(gateway.wsUrl, { origin: 'https://chat.example.com' });
      browser.send({ type: 'auth', token: user.token });
      await browser.next((f) => f.type === 'ready');
      const program = await TestClient.ready(gateway.wsUrl, user.token);
      await Promise.all([browser.close(), program.close()]);
    });
  });

  describe('authentication', () => {
    it('takes the token from the first frame', async () => {
      const client = await TestClient.open(gateway.wsUrl);
      client.send({ type: 'auth', token: user.token });
      expect(await client.next()).to.deep.include({ type: 'ready', user: { id: user.id, username: user.username } });
      await client.close();
    });

    it('takes the token from the query', async () => {
      const client = await TestClient.open(gateway.wsUrl, { queryToken: user.token });
      expect(await client.next()).to.deep.include({ type: 'ready', user: { id: user.id, username: user.username } });
      await client.close();
    });

    it('closes a socket that does not authenticate within AUTH_TIMEOUT_MS with 4001', async () => {
      const client = await TestClient.open(gateway.wsUrl);
      client.send({ type: 'ping' });
      expect(await client.next()).to.deep.equal({ type: 'pong' });
      expect(await client.closed).to.deep.equal({ code: 4001, reason: 'authentication timeout' });
    });

    it('closes with 4001 at the default timeout of 10 s', async function () {
      this.timeout(25_000);
      this.slow(12_000);
      const defaults = await startTestGateway(auth.url);
      try {
        const client = await TestClient.open(defaults.wsUrl);
        expect(await client.closed).to.deep.equal({ code: 4001, reason: 'authentication timeout' });
      } finally {
        await defaults.stop();
      }
    });

    it('closes with 4001 on a token that is not valid', async () => {
      for (const token of ['not-a-jwt', `${user.token.slice(0, -4)}AAAA`]) {
        const client = await TestClient.open(gateway.wsUrl);
        client.send({ type: 'auth', token });
        expect(await client.closed).to.deep.equal({ code: 4001, reason: 'token invalid' });
      }
      const query = await TestClient.open(gateway.wsUrl, { queryToken: 'not-a-jwt' });
      expect((await query.closed).code).to.equal(4001);
    });

    it('closes with 4001 on an expired token signed by auth', async () => {
      const expired = auth.sign(user, { iat: nowSec() - 600, exp: nowSec() - 60 });
      const client = await TestClient.open(gateway.wsUrl);
      client.send({ type: 'auth', token: expired });
      expect(await client.closed).to.deep.equal({ code: 4001, reason: 'token expired' });
    });

    it("closes with 1011, not 4001, when auth's keys cannot be fetched: an outage, not a bad token", async () => {
      await auth.close();
      try {
        const blind = await startTestGateway(auth.url);
        try {
          // auth's own token, whose kid the blind gateway has never seen.
          const byFrame = await TestClient.open(blind.wsUrl);
          byFrame.send({ type: 'auth', token: user.token });
          expect(await byFrame.closed).to.deep.equal({ code: 1011, reason: 'cannot verify tokens now' });
          const byQuery = await TestClient.open(blind.wsUrl, { queryToken: user.token });
          expect(await byQuery.closed).to.deep.equal({ code: 1011, reason: 'cannot verify tokens now' });
          expect(await blind.metric('warren_ws_closes_total', { code: '1011' })).to.equal(2);
          expect(await blind.metric('warren_ws_closes_total', { code: '4001' })).to.equal(0);
        } finally {
          await blind.stop();
        }
      } finally {
        await auth.listen();
      }
    });

    it('counts closes by code', async () => {
      const before = await gateway.metric('warren_ws_closes_total', { code: '4001' });
      const closed = once(gateway.service.gateway, 'closed');
      const client = await TestClient.open(gateway.wsUrl);
      client.send({ type: 'auth', token: 'nonsense' });
      await Promise.all([client.closed, closed]);
      expect(await gateway.metric('warren_ws_closes_total', { code: '4001' })).to.equal(before + 1);
    });
  });

  describe('frames', () => {
    let client: TestClient;
    beforeEach(async () => {
      client = await TestClient.ready(gateway.wsUrl, user.token);
    });
    afterEach(async () => {
      await client.close();
    });

    it('answers ping with pong', async () => {
      client.send({ type: 'ping' });
      expect(await client.next()).to.deep.equal({ type: 'pong' });
    });

    it('answers what it cannot take with an error frame and keeps the connection', async () => {
      const cases: [object | string | Buffer, string][] = [
        ['this is not JSON', 'INVALID_JSON'],
        ['[1, 2, 3]', 'INVALID_JSON'],
        [Buffer.from([1, 2, 3]), 'BINARY_FRAME'],
        [{ type: 'subscribe', session: 'x' }, 'UNKNOWN_FRAME_TYPE'],
        [{ hello: 'world' }, 'UNKNOWN_FRAME_TYPE'],
        [{ type: 'auth' }, 'INVALID_FRAME'],
      ];
      for (const [frame, code] of cases) {
        client.send(frame);
        const error = await client.next();
        expect(error).to.include({ type: 'error', code });
        expect(error.detail).to.be.a('string');
      }
      client.send({ type: 'ping' });
      expect(await client.next()).to.deep.equal({ type: 'pong' });
    });

    it('answers a fresh token that does not verify, or is for another user, and keeps the connection', async () => {
      client.send({ type: 'auth', token: 'not-a-jwt' });
      expect(await client.next()).to.include({ type: 'error', code: 'TOKEN_INVALID' });
      const other = auth.user('other');
      client.send({ type: 'auth', token: other.token });
      expect(await client.next()).to.include({ type: 'error', code: 'WRONG_USER' });
      client.send({ type: 'ping' });
      expect(await client.next()).to.deep.equal({ type: 'pong' });
    });

    it('lets ws close a connection that sends a frame over MAX_FRAME_BYTES with 1009', async () => {
      client.send({ type: 'ping', padding: 'x'.repeat(16 * 1024) });
      expect((await client.closed).code).to.equal(1009);
    });
  });

  describe('keepalive', () => {
    it('drops a peer that stops answering WebSocket pings', async () => {
      const pinging = await startTestGateway(auth.url, { PING_INTERVAL_MS: '100' });
      try {
        const live = await TestClient.ready(pinging.wsUrl, user.token);
        const dead = await TestClient.open(pinging.wsUrl, { autoPong: false });
        dead.send({ type: 'auth', token: user.token });
        await dead.next((f) => f.type === 'ready');
        const [closed] = (await once(pinging.service.gateway, 'closed')) as [{ code: number }];
        expect(closed.code).to.equal(1006);
        expect((await dead.closed).code).to.equal(1006);
        live.send({ type: 'ping' });
        expect(await live.next()).to.deep.equal({ type: 'pong' });
        await live.close();
      } finally {
        await pinging.stop();
      }
    });
  });
});
