import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exchanges } from '@warren/shared/amqp';
import { AmqpTap } from '@warren/shared/testing';
import { expect } from 'chai';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import jwt from 'jsonwebtoken';
import { GENERATED_KEY_FILE } from '../src/signing-key.ts';
import { startTestAuth, type TestAuth, uniqueUsername } from './support/start-auth.ts';

const PASSWORD = 'correct horse battery';

describe('auth routes (HTTP.md)', () => {
  let auth: TestAuth;
  let events: AmqpTap;

  before(async () => {
    auth = await startTestAuth();
    events = await AmqpTap.open(exchanges.events.name, { routingKey: 'user.*' });
  });
  after(async () => {
    await events?.close();
    await auth?.service.stop();
  });

  const register = (username: string, password = PASSWORD) => auth.post('/auth/register', { username, password });
  const login = (username: string, password = PASSWORD) => auth.post('/auth/login', { username, password });

  describe('POST /auth/register', () => {
    it('answers 201 with the user and publishes user.registered with confirms', async () => {
      const username = uniqueUsername('Reg');
      const response = await register(username);
      expect(response.status).to.equal(201);
      expect(response.body.user).to.have.keys(['id', 'username', 'created_at']);
      expect(response.body.user.username).to.equal(username);
      expect(new Date(response.body.user.created_at).toISOString()).to.equal(response.body.user.created_at);

      const message = await events.waitFor((m) => JSON.parse(m.content.toString()).user.id === response.body.user.id);
      expect(message.fields.routingKey).to.equal('user.registered');
      expect(message.properties.userId).to.equal(auth.service.amqp.user);
      expect(message.properties.contentType).to.equal('application/json');
      expect(JSON.parse(message.content.toString())).to.deep.equal({ user: response.body.user });
    });

    it('answers 409 for a username taken in any case', async () => {
      const username = uniqueUsername('Dup');
      expect((await register(username)).status).to.equal(201);
      const again = await register(username.toUpperCase());
      expect(again.status).to.equal(409);
      expect(again.headers.get('content-type')).to.match(/^application\/problem\+json/);
      expect(again.body.code).to.equal('USERNAME_TAKEN');
    });

    it('refuses usernames and passwords outside the limits with field errors', async () => {
      const cases: [unknown, string][] = [
        [{ username: 'ab', password: PASSWORD }, 'username'],
        [{ username: 'a'.repeat(33), password: PASSWORD }, 'username'],
        [{ username: 'bad name!', password: PASSWORD }, 'username'],
        [{ username: 'al\u0130ce', password: PASSWORD }, 'username'],
        [{ username: '\u212Aate', password: PASSWORD }, 'username'],
        [{ username: uniqueUsername(), password: 'short' }, 'password'],
        [{ username: uniqueUsername(), password: 'é'.repeat(37) }, 'password'],
        [{ username: uniqueUsername(), password: PASSWORD, email: 'not-an-email' }, 'email'],
        [{ password: PASSWORD }, 'username'],
      ];
      for (const [body, field] of cases) {
        const response = await auth.post('/auth/register', body);
        expect(response.status, JSON.stringify(body)).to.equal(400);
        expect(response.body.errors.map((e: { field: string }) => e.field)).to.include(field);
      }
    });

    it('takes a password of exactly 72 bytes and refuses 73, never cutting it', async () => {
      const username = uniqueUsername('Pw');
      const password72 = `${'é'.repeat(36)}`;
      expect(Buffer.byteLength(password72)).to.equal(72);
      expect((await register(username, password72)).status).to.equal(201);
      expect((await register(uniqueUsername(), `${password72}x`)).status).to.equal(400);
      expect((await login(username, password72)).status).to.equal(200);
      // bcrypt alone would accept this (it reads 72 bytes); Warren refuses it.
      expect((await login(username, `${password72}extra`)).status).to.equal(401);
    });

    it('answers 400 problem for a body that is not JSON and 413 for one over 1 MiB', async () => {
      const broken = await auth.post('/auth/register', '{"username":');
      expect(broken.status).to.equal(400);
      expect(broken.body.code).to.equal('INVALID_JSON');
      const huge = await auth.post('/auth/register', { username: 'x'.repeat(1024 * 1024 + 1), password: PASSWORD });
      expect(huge.status).to.equal(413);
      expect(huge.headers.get('content-type')).to.match(/^application\/problem\+json/);
    });
  });

  describe('POST /auth/login', () => {
    it('answers a TokenPair, with the username in any case', async () => {
      const username = uniqueUsername('Login');
      const { body: registered } = await register(username);
      const response = await login(username.toLowerCase());
      expect(response.status).to.equal(200);
      expect(response.body).to.have.keys(['access_token', 'refresh_token', 'token_type', 'expires_in', 'user']);
      expect(response.body.token_type).to.equal('Bearer');
      expect(response.body.expires_in).to.equal(900);
      expect(response.body.user).to.deep.equal(registered.user);
    });

    it('answers unknown user and wrong password alike', async () => {
      const username = uniqueUsername('Alike');
      await register(username);
      const wrongPassword = await login(username, 'wrong password!');
      const unknownUser = await login(uniqueUsername('Nobody'), 'wrong password!');
      expect(wrongPassword.status).to.equal(401);
      expect(unknownUser.status).to.equal(401);
      expect(wrongPassword.body).to.deep.equal(unknownUser.body);
    });

    it('answers 429 with Retry-After on the 11th rapid failed attempt for one username', async () => {
      const username = uniqueUsername('Brute');
      await register(username);
      for (let attempt = 1; attempt <= 10; attempt += 1) {
        expect((await login(username, `guess number ${attempt}`)).status, `attempt ${attempt}`).to.equal(401);
      }
      const eleventh = await login(username, 'guess number 11');
      expect(eleventh.status).to.equal(429);
      expect(eleventh.body.code).to.equal('TOO_MANY_LOGIN_ATTEMPTS');
      expect(Number(eleventh.headers.get('retry-after'))).to.be.greaterThan(0);
      // Even the right password waits: the limit is on the name, not on the guesses being wrong.
      expect((await login(username)).status).to.equal(429);
      // Other users are unaffected.
      const other = uniqueUsername('Other');
      await register(other);
      expect((await login(other)).status).to.equal(200);
    });
  });

  describe('POST /auth/login with usernames JavaScript and PostgreSQL lower-case differently', () => {
    /** Spellings of `name` (which holds k, i and s) with a look-alike that folds to the letter. */
    const unicodeSpellings = (name: string) => [
      name.replace('i', '\u0130'), // İ: PostgreSQL lower-cases it to i, JavaScript to i + U+0307
      name.replace('k', '\u212A'), // K, the Kelvin sign: both lower-case it to k
      name.replace('s', '\u017F'), // ſ, long s: upper-cases to S
      name.toUpperCase().replace('I', '\u0130'),
    ];

    it('never logs in with a spelling outside the username limits, answering as for an unknown user', async () => {
      const username = uniqueUsername('kis');
      await register(username);
      const unknown = await login(uniqueUsername('Nobody'));
      for (const spelling of unicodeSpellings(username)) {
        const response = await login(spelling);
        expect(response.status, spelling).to.equal(401);
        expect(response.body, spelling).to.deep.equal(unknown.body);
      }
      expect((await login(username.toUpperCase())).status).to.equal(200);
    });

    it('counts every spelling that finds the user against one budget, and after the lock none logs in', async () => {
      const username = uniqueUsername('kis');
      await register(username);
      const asciiSpellings = [username, username.toUpperCase(), username.replace('k', 'K').replace('s', 'S')];
      for (let attempt = 1; attempt <= 10; attempt += 1) {
        const spelling = asciiSpellings[attempt % asciiSpellings.length] as string;
        expect((await login(spelling, `guess number ${attempt}`)).status, `attempt ${attempt}`).to.equal(401);
        // Look-alike spellings between the guesses find nobody, whatever the password.
        for (const other of unicodeSpellings(username)) expect((await login(other)).status, other).to.equal(401);
      }
      for (const spelling of asciiSpellings) {
        const locked = await login(spelling);
        expect(locked.status, spelling).to.equal(429);
        expect(locked.body.code).to.equal('TOO_MANY_LOGIN_ATTEMPTS');
        expect(Number(locked.headers.get('retry-after'))).to.be.greaterThan(0);
      }
      for (const spelling of unicodeSpellings(username))
        expect((await login(spelling)).status, spelling).to.not.equal(200);
    });
  });

  describe('tokens', () => {
    it('signs access tokens that an independent JWT library verifies against the JWKS', async () => {
      const username = uniqueUsername('Jwks');
      const { body: pair } = await register(username).then(() => login(username));
      const jwks = createRemoteJWKSet(new URL(`${auth.baseUrl}/auth/.well-known/jwks.json`));
      const { payload, protectedHeader } = await jwtVerify(pair.access_token, jwks, {
        issuer: 'warren-auth',
        audience: 'warren',
      });
      expect(protectedHeader.alg).to.equal('ES256');
      expect(payload.sub).to.equal(pair.user.id);
      expect(payload.name).to.equal(username);
      expect(payload).to.include.keys(['iss', 'aud', 'iat', 'exp']);
      expect((payload.exp ?? 0) - (payload.iat ?? 0)).to.equal(900);
    });

    it('GET /auth/me answers the user for a valid token and 401 with WWW-Authenticate otherwise', async () => {
      const username = uniqueUsername('Me');
      const { body: pair } = await register(username).then(() => login(username));
      const me = await auth.get('/auth/me', { authorization: `Bearer ${pair.access_token}` });
      expect(me.status).to.equal(200);
      expect(me.body.user).to.deep.equal(pair.user);
      const anonymous = await auth.get('/auth/me');
      expect(anonymous.status).to.equal(401);
      expect(anonymous.headers.get('www-authenticate')).to.match(/^Bearer/);
    });

    it('refuses alg none, HS256 with the public key, another iss or aud, expired and tampered tokens', async () => {
      const username = uniqueUsername('Forge');
      const { body: pair } = await register(username).then(() => login(username));
      const privateKey = createPrivateKey(readFileSync(join(auth.dataDir, GENERATED_KEY_FILE)));
      const publicPem = createPublicKey(privateKey).export({ format: 'pem', type: 'spki' }).toString();
      const { kid } = jwt.decode(pair.access_token, { complete: true })?.header ?? {};
      const claims = { sub: pair.user.id, name: username };
      const good = {
        algorithm: 'ES256' as const,
        keyid: kid,
        issuer: 'warren-auth',
        audience: 'warren',
        expiresIn: 60,
      };
      const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const now = Math.floor(Date.now() / 1000);
      const forged: Record<string, string> = {
        'alg none': `${b64({ alg: 'none', typ: 'JWT', kid })}.${b64({ ...claims, iss: 'warren-auth', aud: 'warren', iat: now, exp: now + 60 })}.`,
        'HS256 with the public key': jwt.sign(claims, publicPem, { ...good, algorithm: 'HS256' }),
        'another issuer': jwt.sign(claims, privateKey, { ...good, issuer: 'evil' }),
        'another audience': jwt.sign(claims, privateKey, { ...good, audience: 'elsewhere' }),
        expired: jwt.sign({ ...claims, iat: now - 3600, exp: now - 1800 }, privateKey, {
          algorithm: 'ES256',
          keyid: kid,
          issuer: 'warren-auth',
          audience: 'warren',
        }),
        'unknown kid': jwt.sign(claims, privateKey, { ...good, keyid: 'someone-elses-key' }),
        tampered: `${pair.access_token.slice(0, -4)}AAAA`,
      };
      expect(
        (await auth.get('/auth/me', { authorization: `Bearer ${jwt.sign(claims, privateKey, good)}` })).status,
      ).to.equal(200);
      for (const [what, token] of Object.entries(forged)) {
        const response = await auth.get('/auth/me', { authorization: `Bearer ${token}` });
        expect(response.status, what).to.equal(401);
        expect(response.headers.get('www-authenticate'), what).to.match(/^Bearer/);
      }
    });
  });

  describe('POST /auth/refresh and /auth/logout', () => {
    it('rotates: the new pair works, the spent token answers 401 and revokes its whole family', async () => {
      const username = uniqueUsername('Rot');
      const { body: first } = await register(username).then(() => login(username));
      const second = await auth.post('/auth/refresh', { refresh_token: first.refresh_token });
      expect(second.status).to.equal(200);
      expect(second.body.refresh_token).to.not.equal(first.refresh_token);
      expect(second.body.user).to.deep.equal(first.user);
      expect((await auth.get('/auth/me', { authorization: `Bearer ${second.body.access_token}` })).status).to.equal(
        200,
      );

      const reuse = await auth.post('/auth/refresh', { refresh_token: first.refresh_token });
      expect(reuse.status).to.equal(401);
      expect(reuse.body.code).to.equal('INVALID_REFRESH_TOKEN');
      // The family is revoked: the token the legitimate holder got from the rotation is dead too.
      expect((await auth.post('/auth/refresh', { refresh_token: second.body.refresh_token })).status).to.equal(401);
      // Another login is another family, unaffected.
      const other = await login(username);
      expect((await auth.post('/auth/refresh', { refresh_token: other.body.refresh_token })).status).to.equal(200);
    });

    it('answers 401 for an unknown refresh token and 400 for a missing one', async () => {
      expect((await auth.post('/auth/refresh', { refresh_token: 'made-up' })).status).to.equal(401);
      expect((await auth.post('/auth/refresh', {})).status).to.equal(400);
    });

    it('logout answers 204 and revokes the token and its family', async () => {
      const username = uniqueUsername('Out');
      const { body: pair } = await register(username).then(() => login(username));
      const rotated = await auth.post('/auth/refresh', { refresh_token: pair.refresh_token });
      expect((await auth.post('/auth/logout', { refresh_token: rotated.body.refresh_token })).status).to.equal(204);
      expect((await auth.post('/auth/refresh', { refresh_token: rotated.body.refresh_token })).status).to.equal(401);
      expect((await auth.post('/auth/logout', { refresh_token: rotated.body.refresh_token })).status).to.equal(204);
    });
  });

  it('answers unknown routes with a 404 problem', async () => {
    const response = await auth.get('/auth/nothing-here');
    expect(response.status).to.equal(404);
    expect(response.headers.get('content-type')).to.match(/^application\/problem\+json/);
    expect(response.body).to.include({ status: 404, code: 'NOT_FOUND' });
  });
});
