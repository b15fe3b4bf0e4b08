import { generateKeyPairSync, type KeyObject, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { variables } from '@warren/shared/config';
import type { LoginEndedEvent } from '@warren/shared/contract';
import { type IssuedUser, JWKS_PATH, type TokenSubject } from '@warren/shared/testing';
import { publicJwkOf } from '@warren/shared/tokens';
import jwt from 'jsonwebtoken';

/** What {@link AuthStandIn.sign} may set. */
export interface StandInSignOptions {
  /** The login the token comes from. @defaultValue a new one */
  sid?: string;
  /** Issue time, seconds since the epoch. @defaultValue now */
  iat?: number;
}

/** A user with a token of one login of theirs. */
export interface LoggedInUser extends IssuedUser {
  readonly sid: string;
}

/**
 * Auth as chat-api sees it, for chat-api's tests: what the shared `TestIssuer` serves (a JWKS of an
 * ES256 key at its URL, tokens signed as auth signs them, `close`/`listen` for outages), plus what
 * sign-out adds: tokens carry `sid`, and `GET /auth/ended-logins?since=` answers the logins
 * {@link endLogin} ended, with the tokens' lifetime, as auth does. `failEndedLogins` makes that
 * route answer 500 (auth's record unreachable) while the JWKS still works.
 */
export class AuthStandIn {
  readonly #key: KeyObject;
  readonly #jwks: string;
  readonly #kid: string;
  readonly #ttlSec: number;
  readonly #server: Server;
  readonly #ended: { sid: string; ended_at: string }[] = [];
  #port = 0;
  /** When set, `GET /auth/ended-logins` answers 500. */
  failEndedLogins = false;
  /** How many times `GET /auth/ended-logins` was asked. */
  endedLoginsAsked = 0;

  constructor(options: { ttlSec?: number } = {}) {
    this.#key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const jwk = publicJwkOf(this.#key);
    this.#kid = jwk.kid;
    this.#jwks = JSON.stringify({ keys: [jwk] });
    this.#ttlSec = options.ttlSec ?? 3600;
    this.#server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://stand-in');
      if (req.method === 'GET' && url.pathname === JWKS_PATH) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(this.#jwks);
        return;
      }
      if (req.method === 'GET' && url.pathname === '/auth/ended-logins') {
        this.endedLoginsAsked += 1;
        const since = Date.parse(url.searchParams.get('since') ?? '');
        if (this.failEndedLogins || Number.isNaN(since)) {
          res.writeHead(this.failEndedLogins ? 500 : 400, { 'content-type': 'application/json' }).end('{}');
          return;
        }
        const ended = this.#ended.filter((login) => Date.parse(login.ended_at) >= since);
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ ended, access_token_ttl_sec: this.#ttlSec }));
        return;
      }
      res.writeHead(404, { 'content-type': 'application/json' }).end('{}');
    });
  }

  /** The AUTH_URL of the services that should trust it. */
  get url(): string {
    if (this.#port === 0) throw new Error('the auth stand-in has no address before it listens');
    return `http://127.0.0.1:${this.#port}`;
  }

  /** An access token for `user` of login `sid` (a new one unless given). */
  sign(user: TokenSubject, options: StandInSignOptions = {}): string {
    const iat = options.iat ?? Math.floor(Date.now() / 1000);
    return jwt.sign(
      { name: user.username, iat, exp: iat + this.#ttlSec, sid: options.sid ?? randomUUID() },
      this.#key,
      {
        algorithm: 'ES256',
        keyid: this.#kid,
        issuer: variables.JWT_ISSUER.parse(undefined),
        audience: variables.JWT_AUDIENCE.parse(undefined),
        subject: user.id,
      },
    );
  }

  /** A new user (a fresh id, `<prefix>_<random>` as username), logged in once. */
  user(prefix = 'user'): LoggedInUser {
    const subject = { id: randomUUID(), username: `${prefix}_${Math.random().toString(36).slice(2, 10)}` };
    return this.login(subject);
  }

  /** A new login of a user: a token with a new `sid`. */
  login(user: TokenSubject): LoggedInUser {
    const sid = randomUUID();
    return { id: user.id, username: user.username, sid, token: this.sign(user, { sid }) };
  }

  /** Records that a login ended, as auth's record holds it. @returns the `login.ended` body auth publishes. */
  endLogin(user: LoggedInUser, endedAt = new Date()): LoginEndedEvent {
    const event = { user_id: user.id, sid: user.sid, ended_at: endedAt.toISOString() };
    this.#ended.push({ sid: event.sid, ended_at: event.ended_at });
    return event;
  }

  /** Stops serving: verifiers that need a key, and rebuilds of the deny list, now find auth down. */
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
