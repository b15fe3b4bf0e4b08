import type { AccessTokenClaims } from './access-token-claims.ts';
import type { VerificationKey } from './remote-key-set.ts';

/** A token verified before: its claims, and the key of the set that verified its signature. */
export interface VerifiedToken {
  readonly claims: AccessTokenClaims;
  readonly kid: string;
  readonly key: VerificationKey;
}

/**
 * Tokens already verified, by their exact text, so a client sending the same token with every
 * request costs one signature check. At most `maxEntries` are kept (the oldest go first), and an
 * entry is never served once its token's `exp` has come: past it, the token is verified again and
 * the verifier's own rule (its clock tolerance) decides.
 */
export class VerifiedTokenCache {
  readonly #maxEntries: number;
  /** In insertion order, so the first is the one to evict. */
  readonly #entries = new Map<string, VerifiedToken>();

  constructor(maxEntries: number) {
    this.#maxEntries = maxEntries;
  }

  /** The entry of this token while `nowSec` is before its `exp`; an expired one is dropped. */
  get(token: string, nowSec: number): VerifiedToken | undefined {
    const entry = this.#entries.get(token);
    if (entry === undefined) return undefined;
    if (nowSec >= entry.claims.exp) {
      this.#entries.delete(token);
      return undefined;
    }
    return entry;
  }

  /** Keeps a verified token, evicting the oldest entry when full (nothing when the size is 0). */
  set(token: string, entry: VerifiedToken): void {
    if (this.#maxEntries <= 0) return;
    if (this.#entries.size >= this.#maxEntries && !this.#entries.has(token)) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(token, entry);
  }

  /** Forgets a token (its key is no longer the set's). */
  delete(token: string): void {
    this.#entries.delete(token);
  }
}
