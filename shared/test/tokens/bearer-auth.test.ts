import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import express, { type ErrorRequestHandler, type Response } from 'express';
import { SharedErrors, WarrenError } from '../../src/errors.ts';
import { authOf, bearerAuth, createTokenVerifier, publicJwkOf } from '../../src/tokens/index.ts';
import { AUDIENCE, deadUrl, ISSUER, JwksServer, keys, signToken } from './fixtures.ts';

/** Just enough of a problem-document error handler to see what the middleware passed on. */
const errorHandler: ErrorRequestHandler = (error, _req, res, _next) => {
  const warren = error instanceof WarrenError ? error : new SharedErrors.internal();
  res.status(warren.status).set(warren.headers).json({ code: warren.code, detail: warren.message });
};

describe('bearerAuth', () => {
  const jwk = publicJwkOf(keys.es256.publicKey);
  let jwks: JwksServer;
  let server: Server;
  let base: string;

  before(async () => {
    jwks = await JwksServer.start({ keys: [jwk] });
    const verifier = createTokenVerifier({ jwksUrl: jwks.url, issuer: ISSUER, audience: AUDIENCE });
    const app = express();
    app.get('/me', bearerAuth(verifier), (_req, res) => {
      res.json(authOf(res));
    });
    // Verifies against an auth service that is down.
    const outage = createTokenVerifier({ jwksUrl: await deadUrl(), issuer: ISSUER, audience: AUDIENCE });
    app.get('/outage', bearerAuth(outage), (_req, res) => {
      res.json(authOf(res));
    });
    app.get('/open', (_req, res) => {
      res.json(authOf(res));
    });
    app.use(errorHandler);
    server = createServer(app).listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    server.closeAllConnections();
    server.close();
    await jwks.close();
  });

  const get = (path: string, authorization?: string) =>
    fetch(`${base}${path}`, authorization === undefined ? {} : { headers: { authorization } });

  it('answers 401 with WWW-Authenticate: Bearer when there is no token', async () => {
    const response = await get('/me');
    expect(response.status).to.equal(401);
    expect(response.headers.get('www-authenticate')).to.equal('Bearer');
    expect(await response.json()).to.deep.equal({ code: 'UNAUTHORIZED', detail: 'bearer token missing' });
  });

  it('treats another scheme or an empty Bearer as no token', async () => {
    for (const authorization of ['Basic YWxpY2U6c2VjcmV0', 'Bearer', 'Bearer   ']) {
      const response = await get('/me', authorization);
      expect(response.status).to.equal(401);
      expect(response.headers.get('www-authenticate')).to.equal('Bearer');
    }
  });

  it('answers 401 with error="invalid_token" for a bad token', async () => {
    const forged = signToken(keys.es256b.privateKey, { kid: jwk.kid });
    for (const authorization of [`Bearer ${forged}`, 'Bearer not.a.jwt', 'Bearer two words']) {
      const response = await get('/me', authorization);
      expect(response.status).to.equal(401);
      expect(response.headers.get('www-authenticate')).to.equal('Bearer error="invalid_token"');
      expect(await response.json()).to.deep.equal({ code: 'UNAUTHORIZED', detail: 'token invalid' });
    }
  });

  it('keeps the verifier detail of an expired token', async () => {
    const expired = signToken(keys.es256.privateKey, { kid: jwk.kid, nowMs: Date.now() - 3_600_000 });
    const response = await get('/me', `Bearer ${expired}`);
    expect(response.status).to.equal(401);
    expect(await response.json()).to.deep.include({ detail: 'token expired' });
  });

  it('hands the claims of a good token to the route, whatever the scheme case', async () => {
    const token = signToken(keys.es256.privateKey, { kid: jwk.kid });
    for (const scheme of ['Bearer', 'bearer']) {
      const response = await get('/me', `${scheme} ${token}`);
      expect(response.status).to.equal(200);
      expect(await response.json()).to.deep.include({ sub: '6f1c1c2e-3c4b-4f38-9f52-6b0f0f1e2a11', name: 'alice' });
    }
  });

  it('answers 503 SIGNING_KEYS_UNAVAILABLE, not 401, when the JWKS cannot be fetched for an unknown kid', async () => {
    const response = await get('/outage', `Bearer ${signToken(keys.es256.privateKey, { kid: jwk.kid })}`);
    expect(response.status).to.equal(503);
    // Nothing is wrong with the token: no Bearer challenge asks for another.
    expect(response.headers.get('www-authenticate')).to.equal(null);
    expect(await response.json()).to.deep.equal({
      code: 'SIGNING_KEYS_UNAVAILABLE',
      detail: 'signing keys unavailable',
    });
  });

  it('turns a verifier that fails otherwise into a 401 that keeps the cause', async () => {
    const bug = new Error('verifier bug');
    let passed: unknown;
    await bearerAuth({ verify: () => Promise.reject(bug) })(
      { headers: { authorization: 'Bearer x' } } as never,
      { locals: {} } as never,
      (error?: unknown) => {
        passed = error;
      },
    );
    expect(passed).to.be.instanceOf(SharedErrors.unauthorized);
    expect((passed as WarrenError).cause).to.equal(bug);
    expect((passed as WarrenError).message).to.equal('token invalid');
  });

  it('makes authOf on a route without bearerAuth a programming error (500), not a refusal', async () => {
    const token = signToken(keys.es256.privateKey, { kid: jwk.kid });
    expect((await get('/open', `Bearer ${token}`)).status).to.equal(500);
    expect(() => authOf({ locals: {} } as Response)).to.throw(Error, /bearerAuth/);
  });
});
