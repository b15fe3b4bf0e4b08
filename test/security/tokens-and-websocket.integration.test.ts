import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import WebSocket from 'ws';
import { SocketClient } from '../support/socket-client.ts';
import { registerEach, type TestUser, UNLIMITED_POSTING, useWarren } from '../support/warren.ts';

/**
 * Forged tokens against chat-api and the ws-gateway (auth's own tests cover auth, refresh reuse and
 * login brute force), and a hostile WebSocket client: garbage, binary and oversized frames, floods,
 * unauthenticated floods and too many connections of one user. The gateway stays up and others are
 * unaffected.
 */
describe('forged tokens and hostile WebSocket clients (security)', function () {
  this.timeout(90_000);
  const warren = useWarren({ chatApi: UNLIMITED_POSTING });
  let alice: TestUser;
  let bob: TestUser;
  let session: string;
  let authKey: KeyObject;
  let kid: string;

  before(async () => {
    [alice, bob] = await registerEach(warren, 'alice', 'bob');
    session = await warren.createSession(alice, [bob]);
    // The only key file in auth's data folder: the signing key auth generated there.
    const keyFile = readdirSync(warren.authDataDir).find((file) => file.endsWith('.pem')) ?? 'no key file';
    authKey = createPrivateKey(readFileSync(join(warren.authDataDir, keyFile)));
    kid = (jwt.decode(alice.token, { complete: true })?.header.kid as string | undefined) ?? '';
    if (!authKey) throw new Error("cannot find this auth's signing key");
  });

  const forged = (): Record<string, string> => {
    const claims = { sub: alice.id, name: alice.username };
    const alg = authKey.asymmetricKeyType === 'ec' ? ('ES256' as const) : ('RS256' as const);
    const good = { algorithm: alg, keyid: kid, issuer: 'warren-auth', audience: 'warren', expiresIn: 60 };
    const publicPem = createPublicKey(authKey).export({ format: 'pem', type: 'spki' }).toString();
    const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    return {
      'alg none': `${b64({ alg: 'none', typ: 'JWT', kid })}.${b64({ ...claims, iss: 'warren-auth', aud: 'warren', iat: now, exp: now + 60 })}.`,
      'HS256 with the public key': jwt.sign(claims, publicPem, { ...good, algorithm: 'HS256' }),
      'another issuer': jwt.sign(claims, authKey, { ...good, issuer: 'evil' }),
      'another audience': jwt.sign(claims, authKey, { ...good, audience: 'elsewhere' }),
      expired: jwt.sign({ ...claims, iat: now - 3600, exp: now - 1800 }, authKey, {
        algorithm: alg,
        keyid: kid,
        issuer: 'warren-auth',
        audience: 'warren',
      }),
      "another's key with auth's kid": jwt.sign(claims, stranger, { ...good, algorithm: 'ES256' }),
      tampered: `${alice.token.split('.')[0]}.${b64({ sub: bob.id, name: bob.username, iss: 'warren-auth', aud: 'warren', exp: now + 60 })}.${alice.token.split('.')[2]}`,
    };
  };

  it('chat-api refuses alg none, HS256 with the public key, another iss or aud, expired, foreign-key and tampered tokens', async () => {
    const valid = jwt.sign({ sub: alice.id, name: alice.username }, authKey, {
      algorithm: authKey.asymmetricKeyType === 'ec' ? 'ES256' : 'RS256',
      keyid: kid,
      issuer: 'warren-auth',
      audience: 'warren',
      expiresIn: 60,
    });
    expect(
      (await fetch(`${warren.chatUrl}/api/sessions`, { headers: { authorization: `Bearer ${valid}` } })).status,
    ).to.equal(200);
    for (const [what, token] of Object.entries(forged())) {
      for (const path of ['/api/sessions', `/api/sessions/${session}/messages`]) {
        const response = await fetch(`${warren.chatUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
        expect(response.status, `${what} ${path}`).to.equal(401);
        expect(response.headers.get('www-authenticate'), what).to.match(/^Bearer/);
      }
    }
  });

  const closeOf = async (socket: WebSocket): Promise<{ code: number; reason: string }> => {
    const [code, reason] = (await once(socket, 'close')) as [number, Buffer];
    return { code, reason: reason.toString() };
  };
  /** Every raw socket a test opened, terminated after it whatever happened. */
  const raw: WebSocket[] = [];
  afterEach(() => {
    for (const socket of raw.splice(0)) socket.terminate();
  });
  const opened = async (url = warren.gatewayUrl): Promise<WebSocket> => {
    const socket = new WebSocket(url);
    raw.push(socket);
    await once(socket, 'open');
    return socket;
  };

  it('the gateway closes 4001 on every forged token, by first frame and by query', async () => {
    for (const [what, token] of Object.entries(forged())) {
      const byFrame = await opened();
      const closedByFrame = closeOf(byFrame);
      byFrame.send(JSON.stringify({ type: 'auth', token }));
      expect((await closedByFrame).code, what).to.equal(4001);
      const byQuery = new WebSocket(`${warren.gatewayUrl}?token=${encodeURIComponent(token)}`);
      expect((await closeOf(byQuery)).code, `${what} (query)`).to.equal(4001);
    }
  });

  it('survives garbage, binary and oversized frames and a flood of thousands of frames, while others get every message', async function () {
    this.timeout(60_000);
    const bobSocket = await SocketClient.ready(warren.gatewayUrl, bob.token);
    const attacker = await opened(`${warren.gatewayUrl}?token=${alice.token}`);
    const frames: Array<{ type: string; code?: string }> = [];
    attacker.on('message', (data) => {
      const frame = JSON.parse(data.toString());
      // Alice's own chat traffic reaches this socket too; only the answers to her frames count here.
      if (frame.type === 'error' || frame.type === 'pong') frames.push(frame);
    });
    const garbage: Array<string | Buffer> = [
      'not json',
      '{"type":',
      '[]',
      'null',
      '"auth"',
      '{"type":"auth"}',
      '{"type":"auth","token":42}',
      '{"type":"subscribe","session":"*"}',
      `{"type":"ping","deep":${'['.repeat(5000)}${']'.repeat(5000)}}`,
      Buffer.from([0xff, 0xfe, 0x00, 0x01]),
    ];
    const FLOOD = 5000;
    const started = Date.now();
    for (let i = 0; i < FLOOD; i++) {
      const frame = garbage[i % garbage.length] as string | Buffer;
      attacker.send(frame, { binary: Buffer.isBuffer(frame) });
    }
    attacker.send(JSON.stringify({ type: 'ping' }));
    // Meanwhile Bob gets what Alice posts.
    const posted = await warren.api(alice, 'POST', `/api/sessions/${session}/messages`, {
      content: 'during the flood',
    });
    expect(posted.status).to.equal(202);
    await bobSocket.waitFor((frame) => frame.type === 'message' && frame.message.id === posted.body.message.id);
    // Every frame is answered, in order: the last is the pong.
    while (frames.length < FLOOD + 1) await once(attacker, 'message');
    const seconds = (Date.now() - started) / 1000;
    expect(frames.filter((frame) => frame.type === 'error')).to.have.length(FLOOD - FLOOD / garbage.length);
    expect(frames.at(-1)).to.deep.equal({ type: 'pong' });
    console.log(`      ${FLOOD} garbage frames answered in ${seconds.toFixed(2)} s`);

    // A frame over MAX_FRAME_BYTES (16 KiB) closes that socket with 1009, and only that one.
    const closed = closeOf(attacker);
    attacker.send(JSON.stringify({ type: 'ping', pad: 'x'.repeat(20_000) }));
    expect((await closed).code).to.equal(1009);
    const next = await warren.api(alice, 'POST', `/api/sessions/${session}/messages`, { content: 'after 1009' });
    await bobSocket.waitFor((frame) => frame.type === 'message' && frame.message.id === next.body.message.id);
    await bobSocket.close();
    expect((await fetch(`${warren.gatewayUrl.replace('ws:', 'http:').replace('/ws', '/healthz')}`)).status).to.equal(
      200,
    );
  });

  it('closes an unauthenticated flood of 200 sockets sending garbage with 4001 within the auth timeout, others unaffected', async function () {
    this.timeout(60_000);
    const bobSocket = await SocketClient.ready(warren.gatewayUrl, bob.token);
    const sockets = await Promise.all(Array.from({ length: 200 }, () => opened()));
    const closes = sockets.map((socket) => closeOf(socket));
    for (const socket of sockets) {
      for (let i = 0; i < 20; i++) socket.send(i % 2 ? 'garbage' : JSON.stringify({ type: 'auth', token: `x.${i}.y` }));
    }
    const codes = (await Promise.all(closes)).map((close) => close.code);
    expect(new Set(codes)).to.deep.equal(new Set([4001]));
    const posted = await warren.api(alice, 'POST', `/api/sessions/${session}/messages`, { content: 'after the flood' });
    await bobSocket.waitFor((frame) => frame.type === 'message' && frame.message.id === posted.body.message.id);
    await bobSocket.close();
  });

  it('closes a user’s connection past MAX_CONNECTIONS_PER_USER (20) with 1008 and a reason; others of the user and others stay', async () => {
    const tabs = await Promise.all(
      Array.from({ length: 20 }, () => SocketClient.ready(warren.gatewayUrl, alice.token)),
    );
    const extra = new WebSocket(`${warren.gatewayUrl}?token=${alice.token}`);
    raw.push(extra);
    const { code, reason } = await closeOf(extra);
    expect(code).to.equal(1008);
    expect(reason).to.match(/too many connections/);
    // Bob is not counted against Alice, and Alice's twenty still receive.
    const bobSocket = await SocketClient.ready(warren.gatewayUrl, bob.token);
    const posted = await warren.api(bob, 'POST', `/api/sessions/${session}/messages`, { content: 'to all tabs' });
    const id = posted.body.message.id;
    await Promise.all(tabs.map((tab) => tab.waitFor((frame) => frame.type === 'message' && frame.message.id === id)));
    // A closed tab frees its place.
    await tabs.pop()?.close();
    const again = await SocketClient.ready(warren.gatewayUrl, alice.token);
    await Promise.all([...tabs, again, bobSocket].map((socket) => socket.close()));
  });
});
