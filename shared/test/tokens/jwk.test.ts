import { generateKeyPairSync } from 'node:crypto';
import { expect } from 'chai';
import { calculateJwkThumbprint, createLocalJWKSet, jwtVerify } from 'jose';
import { jwkThumbprint, publicJwkOf } from '../../src/tokens/index.ts';
import { AUDIENCE, ISSUER, keys, signToken } from './fixtures.ts';

describe('jwkThumbprint', () => {
  it('matches the example of RFC 7638 §3.1', () => {
    const jwk = {
      kty: 'RSA',
      n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
      e: 'AQAB',
      alg: 'RS256',
      kid: '2011-04-29',
    };
    expect(jwkThumbprint(jwk)).to.equal('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });

  it('agrees with jose for EC and RSA keys', async () => {
    for (const key of [keys.es256.publicKey, keys.rs256.publicKey]) {
      const jwk = key.export({ format: 'jwk' });
      expect(jwkThumbprint(jwk)).to.equal(
        await calculateJwkThumbprint(jwk as Parameters<typeof calculateJwkThumbprint>[0]),
      );
    }
  });

  it('refuses a JWK it cannot thumbprint', () => {
    expect(() => jwkThumbprint({ kty: 'XYZ' })).to.throw(TypeError);
    expect(() => jwkThumbprint({ kty: 'EC', crv: 'P-256', x: 'AA' })).to.throw(TypeError);
  });
});

describe('publicJwkOf', () => {
  it('describes a P-256 key as an ES256 signing key named by its thumbprint', () => {
    const jwk = publicJwkOf(keys.es256.publicKey);
    expect(jwk).to.include({ kty: 'EC', crv: 'P-256', use: 'sig', alg: 'ES256' });
    expect(jwk.kid).to.equal(jwkThumbprint(jwk));
    expect(Object.keys(jwk).sort()).to.deep.equal(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
  });

  it('describes an RSA key as an RS256 signing key', () => {
    const jwk = publicJwkOf(keys.rs256.publicKey);
    expect(jwk).to.include({ kty: 'RSA', e: 'AQAB', use: 'sig', alg: 'RS256' });
    expect(Object.keys(jwk).sort()).to.deep.equal(['alg', 'e', 'kid', 'kty', 'n', 'use']);
  });

  it('exports only the public half of a private key', () => {
    expect(publicJwkOf(keys.es256.privateKey)).to.deep.equal(publicJwkOf(keys.es256.publicKey));
    expect(publicJwkOf(keys.rs256.privateKey)).to.deep.equal(publicJwkOf(keys.rs256.publicKey));
  });

  it('gives different keys different kids', () => {
    expect(publicJwkOf(keys.es256.publicKey).kid).not.to.equal(publicJwkOf(keys.es256b.publicKey).kid);
  });

  it('refuses keys that do not sign access tokens', () => {
    expect(() => publicJwkOf(generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey)).to.throw(TypeError);
    expect(() => publicJwkOf(generateKeyPairSync('ed25519').publicKey)).to.throw(TypeError);
  });

  it('is a standard JWK: jose verifies our tokens with it', async () => {
    for (const [pair, alg] of [
      [keys.es256, 'ES256'],
      [keys.rs256, 'RS256'],
    ] as const) {
      const jwk = publicJwkOf(pair.publicKey);
      const jwks = createLocalJWKSet({ keys: [jwk] });
      const token = signToken(pair.privateKey, { alg, kid: jwk.kid });
      const { payload, protectedHeader } = await jwtVerify(token, jwks, {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: [alg],
      });
      expect(protectedHeader).to.include({ alg, kid: jwk.kid });
      expect(payload.name).to.equal('alice');
    }
  });
});
