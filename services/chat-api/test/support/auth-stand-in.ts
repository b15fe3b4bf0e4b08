import { randomUUID } from 'node:crypto';
import { type IssuedUser, type SignOptions, TestIssuer, type TokenSubject } from '@warren/shared/testing';

/** A user with a token of one login of theirs. */
export interface LoggedInUser extends IssuedUser {
  readonly sid: string;
}

/**
 * Auth as chat-api sees it, for chat-api's tests: the shared {@link TestIssuer} (its JWKS, its
 * tokens, its record of ended logins at `GET /auth/ended-logins`, `close`/`listen` for outages),
 * whose tokens all carry `sid` as auth's do, and whose users are logged in.
 */
export class AuthStandIn extends TestIssuer {
  constructor(options: { ttlSec?: number } = {}) {
    super({ ttlSec: options.ttlSec ?? 3600 });
  }

  /** An access token for `user` of login `options.sid` (a new one unless given). */
  override sign(user: TokenSubject, options: SignOptions = {}): string {
    return super.sign(user, { ...options, sid: options.sid ?? randomUUID() });
  }

  /** A new user (a fresh id, `<prefix>_<random>` as username), logged in once. */
  override user(prefix = 'user'): LoggedInUser {
    const { id, username } = super.user(prefix);
    return this.login({ id, username });
  }

  /** A new login of a user: a token with a new `sid`. */
  login(user: TokenSubject): LoggedInUser {
    const sid = randomUUID();
    return { id: user.id, username: user.username, sid, token: this.sign(user, { sid }) };
  }
}
