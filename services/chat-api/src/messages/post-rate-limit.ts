/** Options of {@link PostRateLimit}. */
export interface PostRateLimitOptions {
  /** Messages a user may post per second, sustained. */
  ratePerSec: number;
  /** Messages a user may post at once after being quiet. */
  burst: number;
  /** The clock in milliseconds. @defaultValue Date.now */
  now?: () => number;
}

/** The outcome of {@link PostRateLimit.take}. */
export type RateDecision = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterMs: number };

/**
 * The per-user posting limit of HTTP.md (20 a second, bursts allowed), as the generic cell rate
 * algorithm: a token bucket of `burst` tokens refilled at `ratePerSec`, kept as one number per user,
 * the theoretical arrival time (when the bucket would be full again). Kept in memory, so each
 * chat-api instance counts on its own (docs/chat-api.md).
 *
 * Memory is bounded by the users who posted recently: entries are kept in the order they were last
 * used, and those whose bucket is full again (the same as no entry) are dropped from the front.
 */
export class PostRateLimit {
  /** Milliseconds one post costs. */
  readonly #intervalMs: number;
  /** How far ahead of now the arrival time may run: a burst of `burst` posts. */
  readonly #toleranceMs: number;
  readonly #now: () => number;
  readonly #arrivals = new Map<string, number>();

  constructor(options: PostRateLimitOptions) {
    if (!(options.ratePerSec > 0) || !(options.burst >= 1)) throw new RangeError('ratePerSec > 0 and burst >= 1');
    this.#intervalMs = 1000 / options.ratePerSec;
    this.#toleranceMs = this.#intervalMs * (options.burst - 1);
    this.#now = options.now ?? Date.now;
  }

  /** Takes one post from the user's allowance, or says how long until there is one. */
  take(userId: string): RateDecision {
    const now = this.#now();
    this.#forgetFull(now);
    const arrival = Math.max(this.#arrivals.get(userId) ?? now, now);
    const ahead = arrival - now;
    if (ahead > this.#toleranceMs) return { allowed: false, retryAfterMs: Math.ceil(ahead - this.#toleranceMs) };
    // Re-inserted so the map stays ordered by last use.
    this.#arrivals.delete(userId);
    this.#arrivals.set(userId, arrival + this.#intervalMs);
    return { allowed: true };
  }

  #forgetFull(now: number): void {
    for (const [userId, arrival] of this.#arrivals) {
      if (arrival > now) return;
      this.#arrivals.delete(userId);
    }
  }
}
