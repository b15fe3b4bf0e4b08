import { EventEmitter } from 'node:events';
import jwt from 'jsonwebtoken';
import { SharedErrors } from '../errors.ts';
import { type AccessTokenClaims, accessTokenClaimsOf } from './access-token-claims.ts';
import type { AccessTokenAlgorithm } from './jwk.ts';
import { RemoteKeySet, type VerificationKey } from './remote-key-set.ts';
import { VerifiedTokenCache } from './verified-token-cache.ts';

/** Options of {@link createTokenVerifier}. */
export interface TokenVerifierOptions {
  /** The auth service's JWKS, e.g. `${AUTH_URL}/auth/.well-known/jwks.json`. */
  jwksUrl: string | URL;
  /** The only `iss` accepted (JWT_ISSUER). */
  issuer: string;
  /** The `aud` a token must name (JWT_AUDIENCE). */
  audience: string;
  /**
   * Algorithms accepted in a token's header. Each key still verifies only the one algorithm its type
   * fits, so HMAC and `none` are refused whatever this says.
   * @defaultValue ['ES256', 'RS256']
   */
  algorithms?: readonly AccessTokenAlgorithm[];
  /**
   * Minimum time between two JWKS fetches, whatever triggers them (an unknown kid, the set's age,
   * a retry after a failure), so made-up kids or a down auth service cannot make it hammer auth.
   * @defaultValue 10_000
   */
  refreshCooldownMs?: number;
  /** How long a fetched key set is trusted before it is fetched again. @defaultValue 600_000 */
  maxAgeMs?: number;
  /** Time a JWKS fetch may take, body included. @defaultValue 5_000 */
  fetchTimeoutMs?: number;
  /** The HTTP client. @defaultValue globalThis.fetch */
  fetch?: typeof globalThis.fetch;
  /** Clock skew allowed on `exp` and `nbf`, in seconds. @defaultValue 5 */
  clockToleranceSec?: number;
  /** The clock, in milliseconds since the epoch (tests move it). @defaultValue Date.now */
  now?: () => number;
  /**
   * How many verified tokens to remember (by their exact text, each until its `exp`), so a client
   * repeating its token is checked once: worth it where one token comes with many requests
   * (chat-api), not where it comes once per connection (the gateway). A remembered token is still
   * refused once expired or once its key is no longer in the set. @defaultValue 0 (none)
   */
  cacheSize?: number;
}

/** Events of a {@link TokenVerifier}. */
export interface TokenVerifierEvents {
  /** A JWKS fetch succeeded; the kids it holds. */
  'jwks-refreshed': [kids: string[]];
  /** A JWKS fetch failed (log-worthy: auth unreachable or answering nonsense). */
  'jwks-refresh-failed': [error: unknown];
}

/** Verifies access tokens against the auth service's JWKS; see {@link createTokenVerifier}. */
export class TokenVerifier extends EventEmitter<TokenVerifierEvents> {
  readonly #keySet: RemoteKeySet;
  readonly #algorithms: ReadonlySet<string>;
  readonly #verifyOptions: { issuer: string; audience: string; clockTolerance: number };
  readonly #now: () => number;
  readonly #cache: VerifiedTokenCache;

  /** Prefer {@link createTokenVerifier}. */
  constructor(options: TokenVerifierOptions) {
    super();
    this.#now = options.now ?? Date.now;
    this.#algorithms = new Set(options.algorithms ?? ['ES256', 'RS256']);
    this.#cache = new VerifiedTokenCache(options.cacheSize ?? 0);
    this.#verifyOptions = {
      issuer: options.issuer,
      audience: options.audience,
      clockTolerance: options.clockToleranceSec ?? 5,
    };
    this.#keySet = new RemoteKeySet({
      url: String(options.jwksUrl),
      refreshCooldownMs: options.refreshCooldownMs ?? 10_000,
      maxAgeMs: options.maxAgeMs ?? 600_000,
      fetchTimeoutMs: options.fetchTimeoutMs ?? 5_000,
      fetch: options.fetch ?? globalThis.fetch,
      now: this.#now,
      onRefreshed: (kids) => this.emit('jwks-refreshed', kids),
      onRefreshFailed: (error) => this.emit('jwks-refresh-failed', error),
    });
  }

  /**
   * The claims of a valid access token.
   *
   * @throws WarrenError `UNAUTHORIZED` (401) with detail 'token expired' or 'token invalid';
   * `SIGNING_KEYS_UNAVAILABLE` (503), with the fetch error as cause, when auth's JWKS cannot be
   * fetched and no cached key fits: an outage, which says nothing about the token.
   */
  async verify(token: string): Promise<AccessTokenClaims> {
    const nowSec = Math.floor(this.#now() / 1000);
    const cached = this.#cache.get(token, nowSec);
    if (cached !== undefined) {
      // Asked of the set as an uncached token would be: a withdrawn key, or a set too old to trust
      // that cannot be fetched again, refuses the token just the same.
      let current: VerificationKey;
      try {
        current = await this.#keySet.keyFor(cached.kid);
      } catch (error) {
        this.#cache.delete(token);
        throw error;
      }
      if (current === cached.key) return cached.claims;
      // The set was fetched again since: checked again with the key it holds now.
      this.#cache.delete(token);
    }
    const header = jwt.decode(token, { complete: true })?.header;
    // Checked before any key lookup, so a forged header cannot trigger a JWKS fetch.
    if (
      header === undefined ||
      !this.#algorithms.has(header.alg) ||
      typeof header.kid !== 'string' ||
      header.kid === ''
    ) {
      throw new SharedErrors.unauthorized('token invalid');
    }
    const verificationKey = await this.#keySet.keyFor(header.kid);
    let payload: jwt.JwtPayload | string;
    try {
      payload = jwt.verify(token, verificationKey.key, {
        ...this.#verifyOptions,
        algorithms: [verificationKey.alg],
        clockTimestamp: Math.floor(this.#now() / 1000),
      });
    } catch (error) {
      throw new SharedErrors.unauthorized(error instanceof jwt.TokenExpiredError ? 'token expired' : 'token invalid');
    }
    const claims = accessTokenClaimsOf(payload);
    if (claims === undefined) throw new SharedErrors.unauthorized('token invalid');
    this.#cache.set(token, { claims, kid: header.kid, key: verificationKey });
    return claims;
  }
}

/**
 * A verifier of Warren access tokens (HTTP.md): signed by a key of the auth service's JWKS named by
 * the header's `kid`, with ES256 or RS256, the configured `iss` and `aud`, not expired, naming its
 * user (`sub`, `name`). Keys are cached; an unknown kid triggers one refetch (subject to the
 * cooldown), which is how a key rotation reaches every service.
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  return new TokenVerifier(options);
}
