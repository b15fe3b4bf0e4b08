import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { SharedErrors } from '../../src/errors.ts';
import { rejectionOf } from '../../src/testing/rejection-of.ts';
import { JWKS_PATH, TestIssuer } from '../../src/testing/test-issuer.ts';
import { createTokenVerifier } from '../../src/tokens/index.ts';

describe('TestIssuer', () => {
  const issuer = new TestIssuer();
  before(() => issuer.listen());
  after(() => issuer.close());

  /** A verifier as chat-api and ws-gateway make one, with their default `iss` and `aud`. */
  const verifier = () =>
    createTokenVerifier({
      jwksUrl: `${issuer.url}${JWKS_PATH}`,
      issuer: 'warren-auth',
      audience: 'warren',
      refreshCooldownMs: 0,
    });

  it('signs tokens the real verifier accepts, with the claims and header of auth’s', async () => {
    const user = issuer.user('alice');
    expect(user.username).to.match(/^alice_[0-9a-z]+$/);
    const claims = await verifier().verify(user.token);
    expect(claims).to.include({ sub: user.id, name: user.username, iss: 'warren-auth', aud: 'warren' });
    expect(claims.exp - claims.iat).to.equal(900);
    expect(jwt.decode(user.token, { complete: true })?.header).to.deep.equal({
      alg: 'ES256',
      typ: 'JWT',
      kid: issuer.kid,
    });
  });

  it('signs the times it is given, so an expired token is refused as expired', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = issuer.sign({ id: 'u1', username: 'bob' }, { iat: now - 600, exp: now - 60 });
    const refused = await rejectionOf(verifier().verify(token));
    expect(refused).to.be.instanceOf(SharedErrors.unauthorized).and.include({ message: 'token expired' });
  });

  it('makes its keys unavailable while closed, and serves them again on the same address', async () => {
    const url = issuer.url;
    const token = issuer.user().token;
    await issuer.close();
    try {
      expect(await rejectionOf(verifier().verify(token))).to.be.instanceOf(SharedErrors.signingKeysUnavailable);
    } finally {
      await issuer.listen();
    }
    expect(issuer.url).to.equal(url);
    expect((await verifier().verify(token)).sub).to.be.a('string');
  });
});
