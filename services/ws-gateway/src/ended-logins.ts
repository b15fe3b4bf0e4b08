/** Options of {@link EndedLogins}. */
export interface EndedLoginsOptions {
  /** How long a login is remembered after its end was heard (ENDED_LOGINS_KEEP_MS). */
  readonly keepMs: number;
  /** Logins remembered at most (ENDED_LOGINS_MAX); past it the oldest is forgotten early. */
  readonly max: number;
  /** The number remembered changed (for a gauge). @defaultValue none */
  readonly onSize?: (size: number) => void;
  /** A login was forgotten before its time, at `max` (for a metric). @defaultValue none */
  readonly onEvicted?: () => void;
  /** The clock, in milliseconds. @defaultValue Date.now */
  readonly now?: () => number;
}

/**
 * The logins (`sid`s) whose end this gateway heard of, so a token of one is refused (4001) when it
 * authenticates after the `login.ended` went by: a socket connecting moments after the sign-out, or
 * one connecting to a gateway that started afterwards, which reads auth's record ({@link fill}).
 * Each is kept for `keepMs` from when it was heard or read, which outlives every token of the login (auth's
 * tokens live ACCESS_TOKEN_TTL_SEC from their issue, and none is issued once the login ended), and
 * at most `max` at once, oldest forgotten first. The local clock of arrival is used, not the
 * event's `ended_at`, so clocks that differ between hosts cannot shorten the memory. Entries are
 * kept in arrival order, which is also expiry order, so forgetting costs nothing per look-up but
 * the entries that are due.
 */
export class EndedLogins {
  readonly #keepMs: number;
  readonly #max: number;
  readonly #now: () => number;
  readonly #onSize: (size: number) => void;
  readonly #onEvicted: () => void;
  /** sid → when to forget it, oldest first. */
  readonly #until = new Map<string, number>();
  #filled = false;

  constructor(options: EndedLoginsOptions) {
    this.#keepMs = options.keepMs;
    this.#max = options.max;
    this.#now = options.now ?? Date.now;
    this.#onSize = options.onSize ?? (() => undefined);
    this.#onEvicted = options.onEvicted ?? (() => undefined);
  }

  /** Remembers that the login `sid` ended (again: from now). */
  add(sid: string): void {
    this.#forgetDue();
    this.#until.delete(sid);
    while (this.#until.size >= this.#max) {
      const oldest = this.#until.keys().next();
      if (oldest.done) break;
      this.#until.delete(oldest.value);
      this.#onEvicted();
    }
    this.#until.set(sid, this.#now() + this.#keepMs);
    this.#onSize(this.#until.size);
  }

  /**
   * Merges auth's record of ended logins in: each login not remembered yet is remembered from now,
   * as if its event arrived now (one already remembered keeps its time, so reading the record again
   * after a reconnect does not prolong it), and the memory is {@link filled}.
   */
  fill(sids: Iterable<string>): void {
    for (const sid of sids) if (!this.has(sid)) this.add(sid);
    this.#filled = true;
  }

  /**
   * Whether auth's record was merged in at least once: before that, a login that ended before this
   * gateway listened may be missing, so no token should be admitted.
   */
  get filled(): boolean {
    return this.#filled;
  }

  /** Whether the login `sid` ended (within the memory's bounds). */
  has(sid: string): boolean {
    this.#forgetDue();
    return this.#until.has(sid);
  }

  /** Logins remembered now. */
  get size(): number {
    this.#forgetDue();
    return this.#until.size;
  }

  #forgetDue(): void {
    if (this.#until.size === 0) return;
    const now = this.#now();
    let forgot = false;
    for (const [sid, until] of this.#until) {
      if (until > now) break;
      this.#until.delete(sid);
      forgot = true;
    }
    if (forgot) this.#onSize(this.#until.size);
  }
}
