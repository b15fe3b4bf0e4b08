import { createHash, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';

/** The JWS algorithms Warren signs access tokens with (HTTP.md: asymmetric only). */
export type AccessTokenAlgorithm = 'ES256' | 'RS256';

/** A public signing key as published in the auth service's JWKS. */
export interface PublicJwk extends JsonWebKey {
  /** RFC 7638 thumbprint of the key, so the same key always has the same id. */
  kid: string;
  use: 'sig';
  alg: AccessTokenAlgorithm;
}

/** RFC 7638 §3.2: the members a thumbprint covers, per key type, in lexicographic order. */
const THUMBPRINT_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  EC: ['crv', 'kty', 'x', 'y'],
  RSA: ['e', 'kty', 'n'],
  OKP: ['crv', 'kty', 'x'],
  oct: ['k', 'kty'],
};

/**
 * The RFC 7638 thumbprint of a JWK: base64url SHA-256 of its required members, serialized in
 * lexicographic order without whitespace.
 *
 * @throws TypeError when the key type is unknown or a required member is missing.
 */
export function jwkThumbprint(jwk: JsonWebKey): string {
  const members = jwk.kty === undefined ? undefined : THUMBPRINT_MEMBERS[jwk.kty];
  if (members === undefined) throw new TypeError(`cannot thumbprint a JWK of type ${String(jwk.kty)}`);
  const canonical: Record<string, unknown> = {};
  for (const member of members) {
    const value: unknown = jwk[member];
    if (typeof value !== 'string') throw new TypeError(`JWK member ${member} is missing`);
    canonical[member] = value;
  }
  return createHash('sha256').update(JSON.stringify(canonical)).digest('base64url');
}

/**
 * The algorithm a key signs access tokens with: ES256 for a P-256 EC key, RS256 for an RSA key,
 * `undefined` for any other key, which Warren does not use.
 */
export function algorithmOf(key: KeyObject): AccessTokenAlgorithm | undefined {
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  return undefined;
}

/**
 * The public JWK of a signing key, for the JWKS, with `kid` (its RFC 7638 thumbprint), `use` and
 * `alg`. A private key is accepted and only its public half is exported, so the auth service can
 * pass the key it signs with.
 *
 * @throws TypeError when the key is secret or neither a P-256 EC nor an RSA key.
 */
export function publicJwkOf(key: KeyObject): PublicJwk {
  if (key.type === 'secret') throw new TypeError('a secret key has no public JWK');
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  const alg = algorithmOf(publicKey);
  if (alg === undefined) throw new TypeError('only P-256 EC and RSA keys sign access tokens');
  const jwk = publicKey.export({ format: 'jwk' });
  return { ...jwk, kid: jwkThumbprint(jwk), use: 'sig', alg };
}
