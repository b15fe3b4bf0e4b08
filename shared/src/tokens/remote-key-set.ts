import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { SharedErrors } from '../errors.ts';
import { type AccessTokenAlgorithm, algorithmOf } from './jwk.ts';

/** A key of the set, with the one algorithm it may verify. */
export interface VerificationKey {
  readonly key: KeyObject;
  readonly alg: AccessTokenAlgorithm;
}

/** Options of {@link RemoteKeySet}; the token verifier fills in every default. */
export interface RemoteKeySetOptions {
  readonly url: string;
  readonly refreshCooldownMs: number;
  readonly maxAgeMs: number;
  readonly fetchTimeoutMs: number;
  readonly fetch: typeof globalThis.fetch;
  readonly now: () => number;
  readonly onRefreshed: (kids: string[]) => void;
  readonly onRefreshFailed: (error: unknown) => void;
}

/**
 * The auth service's JWKS, cached by `kid`. The set is fetched again when it is older than
 * `maxAgeMs` or lacks a requested kid, but never twice within `refreshCooldownMs` (whatever the
 * trigger), and concurrent callers share one fetch: made-up kids or a down auth service cannot make
 * it hammer auth. A refetch replaces the set, so a key auth withdrew stops verifying.
 */
export class RemoteKeySet {
  readonly #options: RemoteKeySetOptions;
  #keys: ReadonlyMap<string, VerificationKey> = new Map();
  #loadedAt = Number.NEGATIVE_INFINITY;
  #fetchedAt = Number.NEGATIVE_INFINITY;
  /** Why the last fetch failed; `undefined` once one succeeds. */
  #lastError: unknown;
  #inFlight: Promise<void> | undefined;

  constructor(options: RemoteKeySetOptions) {
    this.#options = options;
  }

  /**
   * The key with this id.
   *
   * @throws WarrenError `UNAUTHORIZED` (401) when the kid is unknown even after a refetch;
   * `SIGNING_KEYS_UNAVAILABLE` (503), with the fetch error as cause, when the set could not be fetched.
   */
  async keyFor(kid: string): Promise<VerificationKey> {
    const fresh = this.#options.now() - this.#loadedAt < this.#options.maxAgeMs;
    const cached = fresh ? this.#keys.get(kid) : undefined;
    if (cached !== undefined) return cached;
    try {
      await this.#refresh();
    } catch (error) {
      throw new SharedErrors.signingKeysUnavailable('signing keys unavailable', { cause: error });
    }
    const key = this.#keys.get(kid);
    if (key === undefined) throw new SharedErrors.unauthorized('token invalid');
    return key;
  }

  /** Fetches the set unless a fetch is running (joined) or the cooldown holds (the last outcome stands). */
  #refresh(): Promise<void> {
    if (this.#inFlight !== undefined) return this.#inFlight;
    const now = this.#options.now();
    if (now - this.#fetchedAt < this.#options.refreshCooldownMs) {
      return this.#lastError === undefined ? Promise.resolve() : Promise.reject(this.#lastError);
    }
    this.#fetchedAt = now;
    this.#inFlight = this.#load(now).finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  async #load(startedAt: number): Promise<void> {
    let keys: ReadonlyMap<string, VerificationKey>;
    try {
      keys = await this.#fetchKeys();
    } catch (error) {
      this.#lastError = error;
      this.#options.onRefreshFailed(error);
      throw error;
    }
    this.#keys = keys;
    this.#loadedAt = startedAt;
    this.#lastError = undefined;
    this.#options.onRefreshed([...keys.keys()]);
  }

  async #fetchKeys(): Promise<ReadonlyMap<string, VerificationKey>> {
    const { url, fetch, fetchTimeoutMs } = this.#options;
    const response = await fetch(url, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(fetchTimeoutMs),
    });
    if (!response.ok) {
      // Frees the connection, which an unread body would hold.
      await response.body?.cancel();
      throw new Error(`JWKS ${url} answered HTTP ${response.status}`);
    }
    const body: unknown = await response.json();
    const jwks = typeof body === 'object' && body !== null ? (body as { keys?: unknown }).keys : undefined;
    if (!Array.isArray(jwks)) throw new Error(`JWKS ${url} has no keys array`);
    const keys = new Map<string, VerificationKey>();
    for (const jwk of jwks) {
      const entry = entryOf(jwk);
      if (entry !== undefined) keys.set(...entry);
    }
    // An empty set would refuse every token; better to keep the last good one while it is fresh.
    if (keys.size === 0) throw new Error(`JWKS ${url} holds no usable signing key`);
    return keys;
  }
}

/**
 * A JWK as a verification key, or `undefined` for one Warren cannot use (no kid, not for
 * signatures, not ES256 or RS256, or an `alg` its key type does not fit): one odd key must not
 * poison the set.
 */
function entryOf(jwk: unknown): [string, VerificationKey] | undefined {
  if (typeof jwk !== 'object' || jwk === null) return undefined;
  const { kid, use, alg } = jwk as Record<string, unknown>;
  if (typeof kid !== 'string' || kid === '' || (use !== undefined && use !== 'sig')) return undefined;
  let key: KeyObject;
  try {
    key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
  } catch {
    return undefined;
  }
  const keyAlg = algorithmOf(key);
  if (keyAlg === undefined || (alg !== undefined && alg !== keyAlg)) return undefined;
  return [kid, { key, alg: keyAlg }];
}
