import { EventEmitter } from 'node:events';
import type { EndedLogin } from '@warren/shared/tokens';

/** Options of {@link DenyList}. */
export interface DenyListOptions {
  /** The most logins it holds; at the bound the oldest one heard is dropped to make room. */
  maxEntries: number;
  /** Kept this much longer than the last token of a login could live: clocks of auth and chat-api differ. */
  skewMarginMs: number;
  /** The clock, in milliseconds since the epoch (tests move it). @defaultValue Date.now */
  now?: () => number;
}

/** Events of a {@link DenyList}. */
export interface DenyListEvents {
  /** It was full: `sid` was dropped to make room, so its tokens are admitted again until they expire. */
  evicted: [sid: string];
  /** Auth's record was merged in: from now on {@link DenyList.ready}. */
  rebuilt: [entries: number];
}

/**
 * The logins that ended (`sid` → when), in memory, so every request's token is checked without a
 * round trip. A login's tokens were all issued before it ended, so each entry is needed only until
 * `ended_at` + the access tokens' lifetime (auth tells it with its record) + a clock-skew margin,
 * and dropped after. Not {@link ready} until auth's record has been merged in once: before that it
 * may be missing a login that ended while this instance was not listening.
 */
export class DenyList extends EventEmitter<DenyListEvents> {
  readonly #maxEntries: number;
  readonly #skewMarginMs: number;
  readonly #now: () => number;
  /** sid → when it ended (ms); in the order heard, which is about the order they expire in. */
  readonly #ended = new Map<string, number>();
  /** Unknown (nothing expires) until auth's record says it. */
  #tokenTtlMs = Number.POSITIVE_INFINITY;
  #ready = false;

  constructor(options: DenyListOptions) {
    super();
    this.#maxEntries = options.maxEntries;
    this.#skewMarginMs = options.skewMarginMs;
    this.#now = options.now ?? Date.now;
  }

  /** Whether auth's record was merged in at least once: before that, no token should be believed. */
  get ready(): boolean {
    return this.#ready;
  }

  /** How many logins it holds now (expired ones included until the next {@link sweep}). */
  get size(): number {
    return this.#ended.size;
  }

  /** A login ended (a `login.ended` event, or auth's record). */
  add(login: EndedLogin): void {
    const endedAt = login.endedAt.getTime();
    const known = this.#ended.get(login.sid);
    // A retried logout tells the same login again: its tokens live no longer for that.
    if (known !== undefined) {
      if (endedAt > known) this.#ended.set(login.sid, endedAt);
      return;
    }
    if (this.#expired(endedAt)) return;
    if (this.#ended.size >= this.#maxEntries) this.sweep();
    if (this.#ended.size >= this.#maxEntries) {
      const oldest = this.#ended.keys().next().value as string;
      this.#ended.delete(oldest);
      this.emit('evicted', oldest);
    }
    this.#ended.set(login.sid, endedAt);
  }

  /** Whether tokens of this login must be refused. */
  has(sid: string): boolean {
    const endedAt = this.#ended.get(sid);
    if (endedAt === undefined) return false;
    if (!this.#expired(endedAt)) return true;
    this.#ended.delete(sid);
    return false;
  }

  /**
   * Merges auth's record of ended logins in, with the access tokens' lifetime it states (each
   * entry's expiry follows it), and makes the list {@link ready}.
   */
  rebuild(logins: readonly EndedLogin[], accessTokenTtlSec: number): void {
    this.#tokenTtlMs = accessTokenTtlSec * 1000;
    for (const login of logins) this.add(login);
    this.sweep();
    this.#ready = true;
    this.emit('rebuilt', logins.length);
  }

  /** Drops the logins whose tokens have all expired. @returns how many. */
  sweep(): number {
    let dropped = 0;
    for (const [sid, endedAt] of this.#ended) {
      if (!this.#expired(endedAt)) continue;
      this.#ended.delete(sid);
      dropped += 1;
    }
    return dropped;
  }

  /** The access tokens' lifetime auth last stated, in seconds; `undefined` before the first rebuild. */
  get accessTokenTtlSec(): number | undefined {
    return Number.isFinite(this.#tokenTtlMs) ? this.#tokenTtlMs / 1000 : undefined;
  }

  /** How far back auth's record must be read: every login that ended since may still have live tokens. */
  lookbackMs(accessTokenTtlSec: number): number {
    return accessTokenTtlSec * 1000 + this.#skewMarginMs;
  }

  #expired(endedAt: number): boolean {
    return endedAt + this.#tokenTtlMs + this.#skewMarginMs <= this.#now();
  }
}
