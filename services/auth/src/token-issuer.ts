import jwt from 'jsonwebtoken';
import type { SigningKey } from './signing-key.ts';
import type { User } from './user-store.ts';

/** HTTP.md's `TokenPair`. */
export interface TokenPair {
  access_token: string;
  refresh_token: string;
  token_type: 'Bearer';
  expires_in: number;
  user: User;
}

/** Options of {@link TokenIssuer}. */
export interface TokenIssuerOptions {
  key: SigningKey;
  issuer: string;
  audience: string;
  /** Access token lifetime in seconds. */
  ttlSec: number;
}

/**
 * Signs access tokens: `sub`, `name`, `sid`, `iss`, `aud`, `iat`, `exp`, with the key's `kid` in the
 * header.
 */
export class TokenIssuer {
  readonly #options: TokenIssuerOptions;

  constructor(options: TokenIssuerOptions) {
    this.#options = options;
  }

  /** Lifetime of the tokens it signs, in seconds. */
  get ttlSec(): number {
    return this.#options.ttlSec;
  }

  /** A signed access token for `user`, from the login (refresh-token family) `sid`. */
  sign(user: User, sid: string): string {
    const { key, issuer, audience, ttlSec } = this.#options;
    return jwt.sign({ name: user.username, sid }, key.privateKey, {
      algorithm: key.algorithm,
      keyid: key.kid,
      issuer,
      audience,
      subject: user.id,
      expiresIn: ttlSec,
    });
  }
}
