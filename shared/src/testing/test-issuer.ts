import { generateKeyPairSync, type KeyObject, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';
import { variables } from '../config/variables.ts';
import type { LoginEndedEvent } from '../contract/index.ts';
import { ENDED_LOGINS_PATH } from '../tokens/ended-logins-source.ts';
import { type PublicJwk, publicJwkOf } from '../tokens/jwk.ts';

/** Where auth serves its JWKS under AUTH_URL (HTTP.md), which verifiers fetch. */
export const JWKS_PATH = '/auth/.well-known/jwks.json';

/** Options of {@link TestIssuer}; each defaults to what auth and the verifiers default to. */
export interface TestIssuerOptions {
  /** `iss` of its tokens (JWT_ISSUER). */
  issuer?: string;
  /** `aud` of its tokens (JWT_AUDIENCE). */
  audience?: string;
  /** Lifetime of its tokens in seconds (ACCESS_TOKEN_TTL_SEC). */
  ttlSec?: number;
}

/** A user an access token is for. */
export interface TokenSubject {
  readonly id: string;
  readonly username: string;
}

/** A user with an access token of theirs. */
export interface IssuedUser extends TokenSubject {
  readonly token: string;
}

/** What {@link TestIssuer.sign} may set that auth would not: times other than now and the usual lifetime. */
export interface SignOptions {
  /** Issue time, seconds since the epoch. @defaultValue now */
  iat?: number;
  /** Expiry, seconds since the epoch. @defaultValue `iat` plus the issuer's lifetime */
  exp?: number;
  /** The `sid` claim: the login the token belongs to (auth sets it on every token). @defaultValue none */
  sid?: string;
}

/**
 * Stands in for the auth service towards the services that verify its tokens: an EC P-256 key (what
 * auth generates), served as a JWKS at {@link JWKS_PATH} of its own HTTP server on a free port, and
 * access tokens signed as auth signs them (ES256, the key's `kid`, `sub`, `name`, `iss`, `aud`,
 * `iat`, `exp`, and `sid` when a test gives one). It also answers auth's record of ended logins,
 * `GET /auth/ended-logins?since=` (those {@link endLogin} recorded, with its tokens' lifetime);
 * {@link failEndedLogins} makes that route answer 500 while the JWKS still works. Tests point
 * AUTH_URL at {@link url} once it {@link listen}s; {@link close} and {@link listen} make auth
 * unreachable and reachable again, for outage tests. Its tokens can be signed before it listens, so
 * suites can make their users while mocha loads them.
 */
export class TestIssuer {
  readonly #key: KeyObject;
  readonly #jwk: PublicJwk;
  readonly #issuer: string;
  readonly #audience: string;
  readonly #ttlSec: number;
  readonly #server: Server;
  readonly #ended: { sid: string; ended_at: string }[] = [];
  #port = 0;
  /** When set, `GET /auth/ended-logins` answers 500 (auth's record unreachable). */
  failEndedLogins = false;
  /** How many times `GET /auth/ended-logins` was asked. */
  endedLoginsAsked = 0;

  /** Generates its key; it serves nothing until it {@link listen}s. */
  constructor(options: TestIssuerOptions = {}) {
    this.#key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    this.#jwk = publicJwkOf(this.#key);
    this.#issuer = options.issuer ?? variables.JWT_ISSUER.parse(undefined);
    this.#audience = options.audience ?? variables.JWT_AUDIENCE.parse(undefined);
    this.#ttlSec = options.ttlSec ?? 900;
    const jwks = JSON.stringify({ keys: [this.#jwk] });
    this.#server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://test-issuer');
      const answer = (status: number, body: string) =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(body);
      if (req.method !== 'GET') answer(404, '{}');
      else if (url.pathname === JWKS_PATH) answer(200, jwks);
      else if (url.pathname === ENDED_LOGINS_PATH) this.#answerEndedLogins(url, answer);
      else answer(404, '{}');
    });
  }

  #answerEndedLogins(url: URL, answer: (status: number, body: string) => void): void {
    this.endedLoginsAsked += 1;
    const since = Date.parse(url.searchParams.get('since') ?? '');
    if (this.failEndedLogins) answer(500, '{}');
    else if (Number.isNaN(since)) answer(400, '{}');
    else {
      const ended = this.#ended.filter((login) => Date.parse(login.ended_at) >= since);
      answer(200, JSON.stringify({ ended, access_token_ttl_sec: this.#ttlSec }));
    }
  }

  /** The AUTH_URL of the services that should trust it. @throws Error before it first listened. */
  get url(): string {
    if (this.#port === 0) throw new Error('the test issuer has no address before it listens');
    return `http://127.0.0.1:${this.#port}`;
  }

  /** The `kid` of its key, in every token's header and in its JWKS. */
  get kid(): string {
    return this.#jwk.kid;
  }

  /** An access token for `user`, valid from now for the issuer's lifetime unless `options` say otherwise. */
  sign(user: TokenSubject, options: SignOptions = {}): string {
    const iat = options.iat ?? Math.floor(Date.now() / 1000);
    const exp = options.exp ?? iat + this.#ttlSec;
    const claims = { name: user.username, iat, exp, ...(options.sid === undefined ? {} : { sid: options.sid }) };
    return jwt.sign(claims, this.#key, {
      algorithm: 'ES256',
      keyid: this.#jwk.kid,
      issuer: this.#issuer,
      audience: this.#audience,
      subject: user.id,
    });
  }

  /** A new user (a fresh id, `<prefix>_<random>` as username) with a token of theirs. */
  user(prefix = 'user'): IssuedUser {
    const subject = { id: randomUUID(), username: `${prefix}_${Math.random().toString(36).slice(2, 10)}` };
    return { ...subject, token: this.sign(subject) };
  }

  /**
   * Records that a login ended, as auth's record holds it (`GET /auth/ended-logins` answers it from now).
   * @returns the `login.ended` body auth publishes for it.
   */
  endLogin(login: { readonly id: string; readonly sid: string }, endedAt = new Date()): LoginEndedEvent {
    const event = { user_id: login.id, sid: login.sid, ended_at: endedAt.toISOString() };
    this.#ended.push({ sid: event.sid, ended_at: event.ended_at });
    return event;
  }

  /**
   * Stops serving: verifiers that need a key, and readers of the ended logins, now find auth down.
   * Tokens can still be signed.
   */
  async close(): Promise<void> {
    if (!this.#server.listening) return;
    this.#server.closeAllConnections();
    this.#server.close();
    await once(this.#server, 'close');
  }

  /** Serves on a free port of 127.0.0.1, or again on the port it had before {@link close}. */
  async listen(): Promise<void> {
    if (this.#server.listening) return;
    this.#server.listen(this.#port, '127.0.0.1');
    await once(this.#server, 'listening');
    this.#port = (this.#server.address() as AddressInfo).port;
  }
}
