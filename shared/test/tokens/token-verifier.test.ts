import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { expect } from 'chai';
import { SharedErrors, type WarrenError } from '../../src/errors.ts';
import { createTokenVerifier, publicJwkOf, type TokenVerifierOptions } from '../../src/tokens/index.ts';
import {
  AUDIENCE,
  deadUrl,
  forgeToken,
  ISSUER,
  JwksServer,
  keys,
  seconds,
  signToken,
  tokenClaims,
} from './fixtures.ts';

const jwkA = publicJwkOf(keys.es256.publicKey);
const jwkB = publicJwkOf(keys.es256b.publicKey);
const jwkRsa = publicJwkOf(keys.rs256.publicKey);

/** The refusal `promise` ends with; fails the test if it resolves or throws anything else. */
async function refusal(promise: Promise<unknown>): Promise<WarrenError> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(SharedErrors.unauthorized);
    expect((error as WarrenError).status).to.equal(401);
    return error as WarrenError;
  }
  expect.fail('the token was accepted');
}

/** The outage `promise` ends with: a 503, never a 401, since the token may well be good. */
async function outage(promise: Promise<unknown>): Promise<WarrenError> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(SharedErrors.signingKeysUnavailable);
    expect(error).to.include({ code: 'SIGNING_KEYS_UNAVAILABLE', status: 503, message: 'signing keys unavailable' });
    return error as WarrenError;
  }
  expect.fail('the token was accepted');
}

describe('createTokenVerifier', () => {
  let server: JwksServer;
  /** The verifier's clock; tests move it instead of waiting. */
  let time: number;

  const verifierFor = (options: Partial<TokenVerifierOptions> = {}) =>
    createTokenVerifier({ jwksUrl: server.url, issuer: ISSUER, audience: AUDIENCE, now: () => time, ...options });

  beforeEach(async () => {
    time = Date.now();
    server = await JwksServer.start({ keys: [jwkA, jwkRsa] });
  });

  afterEach(async () => {
    await server.close();
  });

  describe('accepts', () => {
    it('an ES256 token and returns exactly its access-token claims', async () => {
      const token = signToken(keys.es256.privateKey, { kid: jwkA.kid, nowMs: time, claims: { extra: 'dropped' } });
      const claims = await verifierFor().verify(token);
      expect(claims).to.deep.equal(tokenClaims(time));
    });

    it('an RS256 token', async () => {
      const token = signToken(keys.rs256.privateKey, { alg: 'RS256', kid: jwkRsa.kid, nowMs: time });
      expect((await verifierFor().verify(token)).name).to.equal('alice');
    });

    it('a token whose aud lists the audience among others', async () => {
      const token = signToken(keys.es256.privateKey, { kid: jwkA.kid, claims: { aud: ['other', AUDIENCE] } });
      expect((await verifierFor().verify(token)).aud).to.deep.equal(['other', AUDIENCE]);
    });

    it('a token expired by less than the clock tolerance', async () => {
      const token = signToken(keys.es256.privateKey, { kid: jwkA.kid, nowMs: time - 901_000 });
      expect((await verifierFor({ clockToleranceSec: 5 }).verify(token)).name).to.equal('alice');
    });

    it('many tokens with one JWKS fetch', async () => {
      const verifier = verifierFor();
      for (let i = 0; i < 3; i += 1) {
        await verifier.verify(signToken(keys.es256.privateKey, { kid: jwkA.kid }));
        await verifier.verify(signToken(keys.rs256.privateKey, { alg: 'RS256', kid: jwkRsa.kid }));
      }
      expect(server.requests).to.equal(1);
    });
  });

  describe('refuses', () => {
    const payload = () => ({ ...tokenClaims(time), sub: 'u', name: 'mallory' });

    it('a token with alg none, without fetching keys', async () => {
      const token = forgeToken({ alg: 'none', typ: 'JWT', kid: jwkA.kid }, payload(), () => '');
      expect((await refusal(verifierFor().verify(token))).message).to.equal('token invalid');
      expect(server.requests).to.equal(0);
    });

    it('an HS256 token signed with the public key PEM as secret', async () => {
      const verifier = verifierFor({ algorithms: ['ES256', 'RS256'] });
      for (const { key, kid } of [
        { key: keys.es256.publicKey, kid: jwkA.kid },
        { key: keys.rs256.publicKey, kid: jwkRsa.kid },
      ]) {
        const pem = key.export({ format: 'pem', type: 'spki' });
        const token = forgeToken({ alg: 'HS256', typ: 'JWT', kid }, payload(), (input) =>
          createHmac('sha256', pem).update(input).digest('base64url'),
        );
        await refusal(verifier.verify(token));
      }
    });

    it('a token whose header claims another algorithm than its key fits', async () => {
      // A valid ES256 signature relabelled RS256 must not reach the EC key with the wrong algorithm.
      const [, body, signature] = signToken(keys.es256.privateKey, { kid: jwkA.kid }).split('.');
      const header = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: jwkA.kid })).toString('base64url');
      await refusal(verifierFor().verify(`${header}.${body}.${signature}`));
    });

    it('an algorithm left out of the options', async () => {
      const token = signToken(keys.rs256.privateKey, { alg: 'RS256', kid: jwkRsa.kid });
      await refusal(verifierFor({ algorithms: ['ES256'] }).verify(token));
    });

    it('a token signed by a key the JWKS does not hold under that kid', async () => {
      const token = signToken(keys.es256b.privateKey, { kid: jwkA.kid });
      expect((await refusal(verifierFor().verify(token))).message).to.equal('token invalid');
    });

    it('a token from another issuer', async () => {
      const token = signToken(keys.es256.privateKey, { kid: jwkA.kid, claims: { iss: 'someone-else' } });
      await refusal(verifierFor().verify(token));
    });

    it('a token for another audience', async () => {
      const token = signToken(keys.es256.privateKey, { kid: jwkA.kid, claims: { aud: 'other-app' } });
      await refusal(verifierFor().verify(token));
    });

    it('an expired token, saying so', async () => {
      const token = signToken(keys.es256.privateKey, { kid: jwkA.kid, nowMs: time - 960_000 });
      const error = await refusal(verifierFor().verify(token));
      expect(error.message).to.equal('token expired');
      expect(error.cause).to.equal(undefined);
    });

    for (const claim of ['sub', 'name', 'exp', 'iat']) {
      it(`a token without ${claim}`, async () => {
        const token = signToken(keys.es256.privateKey, { kid: jwkA.kid, claims: { [claim]: undefined } });
        await refusal(verifierFor().verify(token));
      });
    }

    it('a token whose name is not a string', async () => {
      const token = signToken(keys.es256.privateKey, { kid: jwkA.kid, claims: { name: 42 } });
      await refusal(verifierFor().verify(token));
    });

    it('a token without kid, without fetching keys', async () => {
      const token = signToken(keys.es256.privateKey);
      await refusal(verifierFor().verify(token));
      expect(server.requests).to.equal(0);
    });

    for (const junk of ['', 'not-a-jwt', 'a.b.c', 'Bearer x']) {
      it(`junk ${JSON.stringify(junk)}`, async () => {
        await refusal(verifierFor().verify(junk));
      });
    }
  });

  describe('key set', () => {
    it('refetches once for an unknown kid, then refuses', async () => {
      const verifier = verifierFor();
      await verifier.verify(signToken(keys.es256.privateKey, { kid: jwkA.kid }));
      time += 10_000;
      const unknown = signToken(keys.es256b.privateKey, { kid: jwkB.kid });
      expect((await refusal(verifier.verify(unknown))).message).to.equal('token invalid');
      expect(server.requests).to.equal(2);
    });

    it('follows a key rotation: the new kid verifies after a refetch, the withdrawn one no more', async () => {
      const verifier = verifierFor();
      const oldToken = signToken(keys.es256.privateKey, { kid: jwkA.kid });
      await verifier.verify(oldToken);
      server.body = { keys: [jwkB] };
      time += 10_000;
      const refreshed = once(verifier, 'jwks-refreshed');
      const claims = await verifier.verify(signToken(keys.es256b.privateKey, { kid: jwkB.kid }));
      expect(claims.name).to.equal('alice');
      expect(await refreshed).to.deep.equal([[jwkB.kid]]);
      time += 10_000;
      await refusal(verifier.verify(oldToken));
      expect(server.requests).to.equal(3);
    });

    it('does not refetch for unknown kids within the cooldown', async () => {
      const verifier = verifierFor({ refreshCooldownMs: 10_000 });
      await verifier.verify(signToken(keys.es256.privateKey, { kid: jwkA.kid }));
      server.body = { keys: [jwkA, jwkB] };
      const newToken = signToken(keys.es256b.privateKey, { kid: jwkB.kid });
      time += 9_999;
      for (const kid of [jwkB.kid, 'made-up-1', 'made-up-2']) {
        await refusal(verifier.verify(signToken(keys.es256b.privateKey, { kid })));
      }
      expect(server.requests).to.equal(1);
      time += 1;
      expect((await verifier.verify(newToken)).name).to.equal('alice');
      expect(server.requests).to.equal(2);
    });

    it('shares one fetch among concurrent verifications of an unknown kid', async () => {
      const verifier = verifierFor();
      await verifier.verify(signToken(keys.es256.privateKey, { kid: jwkA.kid }));
      server.body = { keys: [jwkA, jwkB] };
      time += 10_000;
      const token = signToken(keys.es256b.privateKey, { kid: jwkB.kid });
      const results = await Promise.all(Array.from({ length: 5 }, () => verifier.verify(token)));
      expect(results.map((claims) => claims.name)).to.deep.equal(Array(5).fill('alice'));
      expect(server.requests).to.equal(2);
    });

    it('shares the first fetch among concurrent verifications on a cold start', async () => {
      const verifier = verifierFor();
      const tokens = [
        signToken(keys.es256.privateKey, { kid: jwkA.kid }),
        signToken(keys.rs256.privateKey, { alg: 'RS256', kid: jwkRsa.kid }),
        signToken(keys.es256b.privateKey, { kid: jwkB.kid }),
      ];
      const results = await Promise.allSettled(tokens.map((token) => verifier.verify(token)));
      expect(results.map((result) => result.status)).to.deep.equal(['fulfilled', 'fulfilled', 'rejected']);
      expect(server.requests).to.equal(1);
    });

    it('fetches the set again once it is older than maxAgeMs', async () => {
      const verifier = verifierFor({ maxAgeMs: 600_000 });
      const token = signToken(keys.es256.privateKey, { kid: jwkA.kid, claims: { exp: seconds(time) + 3600 } });
      await verifier.verify(token);
      time += 599_999;
      await verifier.verify(token);
      expect(server.requests).to.equal(1);
      time += 1;
      await verifier.verify(token);
      expect(server.requests).to.equal(2);
    });

    it('skips JWKs it cannot use and keeps the others', async () => {
      const { kid: _kid, ...noKid } = jwkB;
      server.body = {
        keys: [
          noKid,
          { ...jwkB, kid: 'enc', use: 'enc' },
          { ...jwkB, kid: 'wrong-alg', alg: 'RS256' },
          { kty: 'oct', kid: 'hmac', k: 'c2VjcmV0' },
          { kty: 'EC', kid: 'broken', crv: 'P-256', x: 'AA', y: 'AA' },
          'not a key',
          jwkA,
        ],
      };
      const verifier = verifierFor();
      const refreshed = once(verifier, 'jwks-refreshed');
      await verifier.verify(signToken(keys.es256.privateKey, { kid: jwkA.kid }));
      expect(await refreshed).to.deep.equal([[jwkA.kid]]);
      time += 10_000;
      await refusal(verifier.verify(signToken(keys.es256b.privateKey, { kid: 'wrong-alg' })));
    });
  });

  describe('remembering verified tokens (cacheSize)', () => {
    const remembering = (options: Partial<TokenVerifierOptions> = {}) => verifierFor({ cacheSize: 10, ...options });

    it('checks a repeated token once: the same claims come back', async () => {
      const verifier = remembering();
      const token = signToken(keys.es256.privateKey, { kid: jwkA.kid, nowMs: time });
      const first = await verifier.verify(token);
      time += 60_000;
      expect(await verifier.verify(token)).to.equal(first);
    });

    it('remembers nothing by default', async () => {
      const verifier = verifierFor();
      const token = signToken(keys.es256.privateKey, { kid: jwkA.kid, nowMs: time });
      const first = await verifier.verify(token);
      const second = await verifier.verify(token);
      expect(second).to.deep.equal(first);
      expect(second).to.not.equal(first);
    });

    it('still refuses a remembered token once it expired, saying so', async () => {
      const verifier = remembering({ clockToleranceSec: 5 });
      const token = signToken(keys.es256.privateKey, { kid: jwkA.kid, nowMs: time });
      const first = await verifier.verify(token);
      // At exp the entry is no longer served: the token is checked again, within the tolerance.
      time += 900_000;
      const again = await verifier.verify(token);
      expect(again).to.deep.equal(first);
      expect(again).to.not.equal(first);
      time += 5_000;
      expect((await refusal(verifier.verify(token))).message).to.equal('token expired');
    });

    it('refuses a remembered token once its key is withdrawn', async () => {
      const verifier = remembering();
      const oldToken = signToken(keys.es256.privateKey, { kid: jwkA.kid });
      await verifier.verify(oldToken);
      server.body = { keys: [jwkB] };
      time += 10_000;
      await verifier.verify(signToken(keys.es256b.privateKey, { kid: jwkB.kid }));
      time += 10_000;
      await refusal(verifier.verify(oldToken));
    });

    it('checks a remembered token again with the key of a refetched set', async () => {
      const verifier = remembering({ maxAgeMs: 600_000 });
      const token = signToken(keys.es256.privateKey, { kid: jwkA.kid, claims: { exp: seconds(time) + 3600 } });
      const first = await verifier.verify(token);
      time += 600_000;
      const again = await verifier.verify(token);
      expect(server.requests).to.equal(2);
      expect(again).to.deep.equal(first);
      expect(again).to.not.equal(first);
      expect(await verifier.verify(token)).to.equal(again);
    });

    it('answers an outage for a remembered token once the set is stale and cannot be refetched', async () => {
      const verifier = remembering();
      const token = signToken(keys.es256.privateKey, { kid: jwkA.kid, claims: { exp: seconds(time) + 3600 } });
      await verifier.verify(token);
      server.status = 500;
      time += 600_000;
      await outage(verifier.verify(token));
    });

    it('keeps at most cacheSize tokens, forgetting the oldest', async () => {
      const verifier = remembering({ cacheSize: 2 });
      const tokens = ['a', 'b', 'c'].map((jti) => signToken(keys.es256.privateKey, { kid: jwkA.kid, claims: { jti } }));
      const claims = [];
      for (const token of tokens) claims.push(await verifier.verify(token));
      expect(await verifier.verify(tokens[2] as string)).to.equal(claims[2]);
      expect(await verifier.verify(tokens[1] as string)).to.equal(claims[1]);
      expect(await verifier.verify(tokens[0] as string)).to.not.equal(claims[0]);
    });

    it('does not remember a refused token', async () => {
      const verifier = remembering();
      const token = signToken(keys.es256b.privateKey, { kid: jwkA.kid });
      await refusal(verifier.verify(token));
      await refusal(verifier.verify(token));
    });
  });

  describe('when the JWKS cannot be had', () => {
    it('answers an outage (503) with the cause when the auth service is down and the kid is unknown', async () => {
      const verifier = verifierFor({ jwksUrl: await deadUrl() });
      const failed = once(verifier, 'jwks-refresh-failed');
      const error = await outage(verifier.verify(signToken(keys.es256.privateKey, { kid: jwkA.kid })));
      expect(error.cause).to.be.instanceOf(Error);
      expect((await failed)[0]).to.equal(error.cause);
    });

    for (const [what, setUp] of [
      ['answers 500', (jwks: JwksServer) => Object.assign(jwks, { status: 500 })],
      ['answers a body without keys', (jwks: JwksServer) => Object.assign(jwks, { body: { nope: [] } })],
      ['answers an empty key set', (jwks: JwksServer) => Object.assign(jwks, { body: { keys: [] } })],
    ] as const) {
      it(`answers an outage with the cause when the JWKS ${what}`, async () => {
        setUp(server);
        const error = await outage(verifierFor().verify(signToken(keys.es256.privateKey, { kid: jwkA.kid })));
        expect(error.cause).to.be.instanceOf(Error);
      });
    }

    it('answers an outage with the cause when the fetch times out', async () => {
      // A fetch that only ends when its signal aborts: the timeout is the only way out.
      const hangingFetch = (_url: unknown, init?: RequestInit) =>
        new Promise<Response>((_resolve, reject) => {
          init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
        });
      const verifier = verifierFor({ fetch: hangingFetch, fetchTimeoutMs: 1 });
      const error = await outage(verifier.verify(signToken(keys.es256.privateKey, { kid: jwkA.kid })));
      expect((error.cause as Error).name).to.equal('TimeoutError');
    });

    it('retries only after the cooldown, then recovers', async () => {
      server.status = 503;
      const verifier = verifierFor({ refreshCooldownMs: 10_000 });
      const token = signToken(keys.es256.privateKey, { kid: jwkA.kid });
      const first = await outage(verifier.verify(token));
      server.status = 200;
      time += 9_999;
      const second = await outage(verifier.verify(token));
      expect(second.cause).to.equal(first.cause);
      expect(server.requests).to.equal(1);
      time += 1;
      expect((await verifier.verify(token)).name).to.equal('alice');
      expect(server.requests).to.equal(2);
    });

    it('keeps verifying known kids while the set is fresh, even if a refetch failed', async () => {
      const verifier = verifierFor();
      const token = signToken(keys.es256.privateKey, { kid: jwkA.kid });
      await verifier.verify(token);
      server.status = 500;
      time += 10_000;
      await outage(verifier.verify(signToken(keys.es256b.privateKey, { kid: jwkB.kid })));
      expect((await verifier.verify(token)).name).to.equal('alice');
    });

    it('stops verifying once the set is stale and cannot be refetched, as an outage', async () => {
      const verifier = verifierFor();
      const token = signToken(keys.es256.privateKey, { kid: jwkA.kid, claims: { exp: seconds(time) + 3600 } });
      await verifier.verify(token);
      server.status = 500;
      time += 600_000;
      await outage(verifier.verify(token));
    });
  });
});
