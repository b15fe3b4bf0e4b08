import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { eventually } from '@warren/shared/testing';
import { expect } from 'chai';
import { type TestUser, useIssuer } from './support/auth.ts';
import { TestClient } from './support/client.ts';
import { startTestGateway, type TestGateway } from './support/gateway.ts';
import { closeGatewayConnections } from './support/operator.ts';

describe("ws-gateway and auth's record of ended logins (GET /auth/ended-logins)", () => {
  const auth = useIssuer();
  const clients: TestClient[] = [];
  const gateways: TestGateway[] = [];
  /** A login: a token of `user` with a fresh `sid`. */
  const login = (user: TestUser) => {
    const sid = randomUUID();
    return { id: user.id, sid, token: auth.sign(user, { sid }) };
  };
  const start = async () => {
    const gateway = await startTestGateway(auth.url);
    gateways.push(gateway);
    return gateway;
  };
  /** A socket that sent `token` in an `auth` frame (or `?token=`), and how it closed. */
  const closedWith = async (gateway: TestGateway, token: string, by: 'frame' | 'query' = 'frame') => {
    const client = await TestClient.open(gateway.wsUrl, by === 'query' ? { queryToken: token } : {});
    clients.push(client);
    if (by === 'frame') client.send({ type: 'auth', token });
    return client.closed;
  };
  const ready = async (gateway: TestGateway, token: string) => {
    const client = await TestClient.ready(gateway.wsUrl, token);
    clients.push(client);
    return client;
  };

  afterEach(async () => {
    auth.failEndedLogins = false;
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await Promise.all(gateways.splice(0).map((gateway) => gateway.stop()));
  });

  it('refuses with 4001 a token of a login that ended before the gateway started', async () => {
    const alice = auth.user('alice');
    const ended = login(alice);
    // Recorded by auth, and its login.ended gone by before this gateway had a queue.
    auth.endLogin(ended);
    const gateway = await start();

    expect(await closedWith(gateway, ended.token)).to.deep.equal({ code: 4001, reason: 'login ended' });
    expect(await closedWith(gateway, ended.token, 'query')).to.deep.equal({ code: 4001, reason: 'login ended' });
    expect(await gateway.metric('warren_ws_auth_closes_total', { reason: 'login_ended' })).to.equal(2);
    // Another login of hers is welcome.
    await ready(gateway, login(alice).token);
  });

  it("admits no token while auth's record cannot be read at start, and admits them once auth answers", async () => {
    const bob = auth.user('bob');
    auth.failEndedLogins = true;
    const gateway = await start();

    const outage = { code: 1011, reason: 'cannot verify tokens now' };
    expect(await closedWith(gateway, bob.token)).to.deep.equal(outage);
    expect(await closedWith(gateway, bob.token, 'query')).to.deep.equal(outage);
    expect(await gateway.metric('warren_ws_closes_total', { code: '4001' })).to.equal(0);
    expect(await gateway.metric('warren_ws_ended_logins_read_failures_total')).to.be.at.least(1);

    const ended = login(bob);
    auth.endLogin(ended);
    auth.failEndedLogins = false;
    // Read in the background (backoff) or by the next token that comes: either way, before it is admitted.
    await eventually(async () => {
      try {
        await ready(gateway, bob.token);
        return true;
      } catch {
        return false;
      }
    });
    expect(await closedWith(gateway, ended.token)).to.deep.equal({ code: 4001, reason: 'login ended' });
  });

  it('reads the record again after a broker reconnect, closing sockets of logins that ended meanwhile', async () => {
    const carol = auth.user('carol');
    const [ended, kept] = [login(carol), login(carol)];
    const gateway = await start();
    const before = await ready(gateway, ended.token);
    const asked = auth.endedLoginsAsked;
    // Recorded by auth, its login.ended never reaching this gateway (as when published while the
    // gateway has no queue): only a read of the record after the reconnect can tell it.
    auth.endLogin(ended);

    const reconnected = once(gateway.service.amqp, 'connected');
    await closeGatewayConnections('test: operator closes ws-gateway');
    expect((await before.closed).code).to.equal(1011);
    await reconnected;

    // Refused, or admitted before the read and closed by it: 4001 either way.
    expect(await closedWith(gateway, ended.token)).to.deep.equal({ code: 4001, reason: 'login ended' });
    expect(auth.endedLoginsAsked).to.be.above(asked);
    const other = await ready(gateway, kept.token);
    other.send({ type: 'ping' });
    await other.next((frame) => frame.type === 'pong');
  });
});
