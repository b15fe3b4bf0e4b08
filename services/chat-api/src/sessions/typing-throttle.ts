/** Options of {@link TypingThrottle}. */
export interface TypingThrottleOptions {
  /** At most one `typing` event per user and session this often. */
  intervalMs: number;
  /** The clock in milliseconds. @defaultValue Date.now */
  now?: () => number;
}

/**
 * Decides which `typing` requests are published: at most one per user and session per interval
 * (HTTP.md: 2 s); the others are accepted and dropped. Clients send typing on every keystroke, so
 * this keeps the broker and every member's WebSocket from carrying one event per key.
 *
 * Memory is bounded by who typed within the last interval: entries are kept in the order they were
 * last admitted, and expired ones are dropped from the front on every call.
 */
export class TypingThrottle {
  readonly #intervalMs: number;
  readonly #now: () => number;
  /** `<userId> <sessionId>` → when its last event was admitted, oldest first. */
  readonly #admitted = new Map<string, number>();

  constructor(options: TypingThrottleOptions) {
    this.#intervalMs = options.intervalMs;
    this.#now = options.now ?? Date.now;
  }

  /** Whether this user's typing in this session is published now; if so, it counts from now. */
  admit(userId: string, sessionId: string): boolean {
    const now = this.#now();
    this.#forgetExpired(now);
    const key = `${userId} ${sessionId}`;
    if (this.#admitted.has(key)) return false;
    this.#admitted.set(key, now);
    return true;
  }

  #forgetExpired(now: number): void {
    for (const [key, at] of this.#admitted) {
      if (now - at < this.#intervalMs) return;
      this.#admitted.delete(key);
    }
  }
}
