import { EventEmitter } from 'node:events';

/** Options of {@link MembershipCache}. */
export interface MembershipCacheOptions {
  /** Memberships remembered at most; the least recently used goes first. */
  size: number;
  /**
   * How long a membership is believed without asking PostgreSQL again: the bound on a stale entry
   * should a `membership.changed` event never arrive (a publish the broker did not confirm).
   */
  ttlMs: number;
  /** The clock, in milliseconds. @defaultValue performance.now */
  now?: () => number;
}

/** Events of {@link MembershipCache}, for tests and logs. */
export interface MembershipCacheEvents {
  /** These users' memberships of this session were dropped (a `membership.changed` was applied). */
  forgot: [sessionId: string, userIds: readonly string[]];
  /** Everything was dropped and the cache is (`true`) or is not (`false`) in use from now. */
  reset: [enabled: boolean];
}

/**
 * Which users chat-api knows to be members of which sessions, so a post needs no query. Only
 * memberships are kept (a refusal is always asked again) and every instance drops one as soon as
 * a `membership.changed` event says it ended, so the cache can only be late by the time that event
 * takes to arrive, as long as a post already in flight could be without it.
 *
 * A membership read from PostgreSQL is kept only when no change arrived while it was read: the
 * {@link epoch} taken before the query must still be current ({@link remember}). The cache is in
 * use only while its instance hears the events: off until its queue is consumed, off (and empty)
 * from a lost connection until the next one is consuming.
 */
export class MembershipCache extends EventEmitter<MembershipCacheEvents> {
  readonly #size: number;
  readonly #ttlMs: number;
  readonly #now: () => number;
  /** `<session id> <user id>` → when it stops being believed; Map order is least recently used first. */
  readonly #entries = new Map<string, number>();
  #epoch = 0;
  #enabled = false;

  constructor(options: MembershipCacheOptions) {
    super();
    if (!Number.isInteger(options.size) || options.size < 1)
      throw new RangeError(`size must be ≥ 1, got ${options.size}`);
    this.#size = options.size;
    this.#ttlMs = options.ttlMs;
    this.#now = options.now ?? (() => performance.now());
  }

  /** Changes whenever memberships are dropped: take it before reading one, give it to {@link remember}. */
  get epoch(): number {
    return this.#epoch;
  }

  /** Memberships held now. */
  get size(): number {
    return this.#entries.size;
  }

  /** Whether `userId` is known to be a member of `sessionId` now. */
  has(sessionId: string, userId: string): boolean {
    if (!this.#enabled) return false;
    const key = `${sessionId} ${userId}`;
    const until = this.#entries.get(key);
    if (until === undefined) return false;
    this.#entries.delete(key);
    if (until <= this.#now()) return false;
    this.#entries.set(key, until);
    return true;
  }

  /** Remembers a membership read from PostgreSQL, unless memberships were dropped since `epoch`. */
  remember(sessionId: string, userId: string, epoch: number): void {
    if (!this.#enabled || epoch !== this.#epoch) return;
    const key = `${sessionId} ${userId}`;
    this.#entries.delete(key);
    this.#entries.set(key, this.#now() + this.#ttlMs);
    if (this.#entries.size > this.#size) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
  }

  /** Drops these users' memberships of a session (they left, were removed, or it was deleted). */
  forget(sessionId: string, userIds: readonly string[]): void {
    this.#epoch++;
    for (const userId of userIds) this.#entries.delete(`${sessionId} ${userId}`);
    this.emit('forgot', sessionId, userIds);
  }

  /** Drops everything; from now on the cache is used only if `enabled`. */
  reset(enabled: boolean): void {
    this.#epoch++;
    this.#entries.clear();
    this.#enabled = enabled;
    this.emit('reset', enabled);
  }
}
