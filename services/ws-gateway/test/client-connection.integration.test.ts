import type { Socket } from 'node:net';
import { eventually } from '@warren/shared/testing';
import { expect } from 'chai';
import { useIssuer } from './support/auth.ts';
import { TestBroker } from './support/broker.ts';
import { type ChildGateway, spawnGateway } from './support/child-gateway.ts';
import { TestClient } from './support/client.ts';
import { useGateway } from './support/gateway.ts';

/** The TCP socket under a `ws` client: pausing it is a client that stops reading. */
const tcpOf = (client: TestClient): Socket => (client.socket as unknown as { _socket: Socket })._socket;

describe('client connection', () => {
  const auth = useIssuer();

  describe('token expiry', () => {
    const gateway = useGateway(auth);

    it('closes with 4001 when the token expires, unless a fresh auth frame of the same user extended it', async function () {
      this.slow(10_000);
      const user = auth.user('expiry');
      // Auth's tokens live 30 s at the shortest; the gateway's timer is the same for any lifetime.
      const shortToken = auth.sign(user, { exp: Math.floor(Date.now() / 1000) + 3 });
      const [expiring, extended] = [
        await TestClient.ready(gateway.wsUrl, shortToken),
        await TestClient.ready(gateway.wsUrl, shortToken),
      ];
      // A 15-minute token of the same user, sent over the open connection.
      extended.send({ type: 'auth', token: auth.sign(user) });
      extended.send({ type: 'ping' });
      expect(await extended.next()).to.deep.equal({ type: 'pong' });

      expect(await expiring.closed).to.deep.equal({ code: 4001, reason: 'token expired' });
      // The short token has expired: the connection that got a fresh one lives on.
      extended.send({ type: 'ping' });
      expect(await extended.next()).to.deep.equal({ type: 'pong' });
      await extended.close();
    });
  });

  describe('a client that stops reading', () => {
    let broker: TestBroker;
    let gateway: ChildGateway;
    before(async () => {
      broker = await TestBroker.start();
      // In a process of its own: clients in this process share no event loop with it, so only the
      // paused one falls behind, as on a real network.
      gateway = await spawnGateway(auth.url);
    });
    after(async () => {
      gateway?.process.kill('SIGTERM');
      await gateway?.exited;
      await broker?.stop();
    });

    it('is closed with 4008 (at the default 1 MiB) while 10,000 messages flow, and the others get every message', async function () {
      this.timeout(120_000);
      this.slow(20_000);
      const [slowUser, alice, bob] = [auth.user('slow'), auth.user('alice'), auth.user('bob')];
      const slow = await TestClient.ready(gateway.wsUrl, slowUser.token);
      const others = [
        await TestClient.ready(gateway.wsUrl, alice.token),
        await TestClient.ready(gateway.wsUrl, alice.token),
        await TestClient.ready(gateway.wsUrl, bob.token),
      ];
      const session = await broker.createSession([slowUser.id, alice.id, bob.id]);
      tcpOf(slow).pause();

      // About 30 MB (· is two bytes in UTF-8): more than loopback's socket buffers can hide. Sent in
      // chunks, each once the reading clients have the previous one: they share this loaded test
      // process, and a reader that falls 1 MiB behind is rightly closed with 4008 too. The paused
      // client reads nothing, so its backlog still grows past the limit.
      const contents = Array.from({ length: 10_000 }, (_, n) => `${n} ${'·'.repeat(1500)}`);
      // The gateway counts a 4008 when it decides it; the paused client then reads again and gets
      // what was buffered, then the close frame. It reads again as soon as the 4008 is counted: the
      // close handshake may take at most 5 s (closeTimeout), after which the gateway destroys the
      // TCP connection (1006), and the rest of the 10,000 messages can take longer than that.
      const closedSlow = async () => (await gateway.metric('warren_ws_closes_total', { code: '4008' })) === 1;
      let resumed = false;
      const ids: string[] = [];
      for (let start = 0; start < contents.length; start += 200) {
        const chunk = await broker.publishMany(session, alice, contents.slice(start, start + 200));
        ids.push(...chunk);
        await Promise.all(others.map((client) => client.message(chunk.at(-1) as string)));
        if (!resumed && (await closedSlow())) {
          tcpOf(slow).resume();
          resumed = true;
        }
      }
      await eventually(closedSlow);
      if (!resumed) tcpOf(slow).resume();
      expect((await slow.closed).code).to.equal(4008);
      expect(slow.messages().length).to.be.below(ids.length);

      // Each chunk was awaited above, so every reading client already has every message.
      for (const client of others) {
        expect(client.messages(session).map((frame) => frame.message.id)).to.deep.equal(ids);
      }
      await Promise.all(others.map((client) => client.close()));
      expect(await gateway.metric('warren_ws_closes_total', { code: '4008' })).to.equal(1);
    });
  });
});
