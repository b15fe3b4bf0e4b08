import { randomUUID } from 'node:crypto';
import { eventually } from '@warren/shared/testing';
import { expect } from 'chai';
import { type TestUser, useIssuer } from './support/auth.ts';
import { TestClient } from './support/client.ts';
import { useGateway } from './support/gateway.ts';
import { loginEnded, publishLoginEnded } from './support/login-events.ts';

describe('ws-gateway and ended logins (login.ended)', () => {
  const auth = useIssuer();
  const gateway = useGateway(auth);
  const clients: TestClient[] = [];
  /** A login: a token of `user` with a fresh `sid`. */
  const login = (user: TestUser) => {
    const sid = randomUUID();
    return { sid, token: auth.sign(user, { sid }) };
  };
  const connect = async (token: string) => {
    const client = await TestClient.ready(gateway.wsUrl, token);
    clients.push(client);
    return client;
  };
  /** The socket is open and answering: a `pong` for a `ping`. */
  const answers = async (client: TestClient) => {
    client.send({ type: 'ping' });
    await client.next((frame) => frame.type === 'pong');
  };
  const events = (result: string) => gateway.metric('warren_ws_login_ended_events_total', { result });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
  });

  it("closes exactly the sockets of that login with 4001; the user's other logins and other users stay", async () => {
    const [alice, bob] = [auth.user('alice'), auth.user('bob')];
    const [phone, laptop, bobs] = [login(alice), login(alice), login(bob)];
    const phoneTabs = [await connect(phone.token), await connect(phone.token)];
    const laptopTab = await connect(laptop.token);
    const bobTab = await connect(bobs.token);
    const closesBefore = await gateway.metric('warren_ws_auth_closes_total', { reason: 'login_ended' });

    await publishLoginEnded('auth', loginEnded(alice.id, phone.sid));
    for (const tab of phoneTabs) expect(await tab.closed).to.deep.equal({ code: 4001, reason: 'login ended' });
    // Every socket of the login is closed in one go: the others are past that point and open.
    await answers(laptopTab);
    await answers(bobTab);
    await eventually(
      async () => (await gateway.metric('warren_ws_auth_closes_total', { reason: 'login_ended' })) === closesBefore + 2,
    );
  });

  it('refuses a token of an ended login that connects afterwards with 4001', async () => {
    const alice = auth.user('alice');
    const ended = login(alice);
    const applied = await events('applied');
    await publishLoginEnded('auth', loginEnded(alice.id, ended.sid));
    await eventually(async () => (await events('applied')) === applied + 1);

    const late = await TestClient.open(gateway.wsUrl);
    clients.push(late);
    late.send({ type: 'auth', token: ended.token });
    expect(await late.closed).to.deep.equal({ code: 4001, reason: 'login ended' });
    const query = await TestClient.open(gateway.wsUrl, { queryToken: ended.token });
    clients.push(query);
    expect((await query.closed).code).to.equal(4001);
    // Another login of hers is welcome.
    await answers(await connect(login(alice).token));
  });

  it('follows the sid of the newest token: a fresh auth frame of another login moves the socket to it', async () => {
    const alice = auth.user('alice');
    const [before, after] = [login(alice), login(alice)];
    const client = await connect(before.token);
    client.send({ type: 'auth', token: after.token });
    await answers(client);

    const applied = await events('applied');
    await publishLoginEnded('auth', loginEnded(alice.id, before.sid));
    await eventually(async () => (await events('applied')) === applied + 1);
    await answers(client);

    await publishLoginEnded('auth', loginEnded(alice.id, after.sid));
    expect(await client.closed).to.deep.equal({ code: 4001, reason: 'login ended' });
  });

  it('answers a fresh token of an ended login with TOKEN_INVALID and keeps the current one', async () => {
    const alice = auth.user('alice');
    const [current, ended] = [login(alice), login(alice)];
    const client = await connect(current.token);
    const applied = await events('applied');
    await publishLoginEnded('auth', loginEnded(alice.id, ended.sid));
    await eventually(async () => (await events('applied')) === applied + 1);

    client.send({ type: 'auth', token: ended.token });
    const error = await client.next((frame) => frame.type === 'error');
    expect(error).to.deep.equal({
      type: 'error',
      code: 'TOKEN_INVALID',
      detail: 'login ended; the current token still holds',
    });
    await answers(client);
  });

  it('ignores a forged login.ended (another AMQP user) and one that is not an event, and counts them', async () => {
    const alice = auth.user('alice');
    const session = login(alice);
    const client = await connect(session.token);
    const [untrusted, invalid] = [await events('untrusted'), await events('invalid')];

    await publishLoginEnded('chat-api', loginEnded(alice.id, session.sid));
    await publishLoginEnded('auth', { sid: session.sid });
    await eventually(
      async () => (await events('untrusted')) === untrusted + 1 && (await events('invalid')) === invalid + 1,
    );
    await answers(client);
    // Nor is the login remembered as ended.
    await answers(await connect(session.token));
  });
});
