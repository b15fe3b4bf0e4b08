import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import { type EndedLoginsAnswer, endedLoginsAnswerSchema } from './ended-logins-answer.ts';

/** Where auth answers its record of ended logins under AUTH_URL (HTTP.md). */
export const ENDED_LOGINS_PATH = '/auth/ended-logins';

/** One login that ended, as auth's record or a `login.ended` tells it. */
export interface EndedLogin {
  readonly sid: string;
  readonly endedAt: Date;
}

/** Options of {@link EndedLoginsSource}. */
export interface EndedLoginsSourceOptions {
  /** AUTH_URL (any path prefix is kept). */
  readonly authUrl: string;
  /**
   * How far back to read, given the access tokens' lifetime auth states: every login that ended
   * since may still have live tokens. Typically the lifetime plus a clock-skew margin.
   */
  readonly lookbackMs: (accessTokenTtlSec: number) => number;
  /** Receives each successful read: the logins that ended within the lookback, and the tokens' lifetime. */
  readonly sink: (ended: readonly EndedLogin[], accessTokenTtlSec: number) => void;
  /** Counts the attempts that failed (each is logged and retried): a counter named by the service. */
  readonly failures: { inc(): void };
  /** Logs under `module: 'ended-logins-source'`. */
  readonly logger: Logger;
  /** Time one request to auth may take, body included. @defaultValue 5000 */
  readonly timeoutMs?: number;
  /** The first pause after a failure, doubled after each one. @defaultValue 500 */
  readonly minBackoffMs?: number;
  /** The longest pause between two tries. @defaultValue 30_000 */
  readonly maxBackoffMs?: number;
  /** The least time between two attempts made by {@link EndedLoginsSource.tryNow}. @defaultValue 250 */
  readonly tryNowGapMs?: number;
  /** The HTTP client. @defaultValue globalThis.fetch */
  readonly fetch?: typeof globalThis.fetch;
  /** The clock, in milliseconds since the epoch. @defaultValue Date.now */
  readonly now?: () => number;
}

/**
 * Reads auth's record of ended logins (`GET {AUTH_URL}/auth/ended-logins?since=`, unauthenticated),
 * which holds every login that ended, including those whose `login.ended` a service never heard (it
 * was not running, or its queue was gone), and hands each successful read to the sink. A service
 * reads it at start ({@link attempt}, then {@link request} if that failed) and after every reconnect
 * of its instance queue ({@link request}); a failed read is retried with exponential backoff until
 * one succeeds. An answer that is not auth's (a status other than 2xx, a body of another shape) and
 * a request that outlives `timeoutMs` are failures.
 */
export class EndedLoginsSource {
  readonly #options: EndedLoginsSourceOptions;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #stopped = new AbortController();
  /** The access tokens' lifetime auth stated in its last answer; unknown before the first. */
  #ttlSec: number | undefined;
  /** The retrying read running now, if any. */
  #running: Promise<void> | undefined;
  /** Asked for again while one ran: events may have been missed after its request. */
  #again = false;
  /** The attempt made by {@link tryNow}, shared by the callers that come while it runs. */
  #tried: Promise<void> | undefined;
  #lastAttemptAt = Number.NEGATIVE_INFINITY;

  constructor(options: EndedLoginsSourceOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#log = options.logger.child({ module: 'ended-logins-source' });
  }

  /**
   * Reads now, or once more after the read under way, retrying until one succeeds. Never rejects.
   * @returns when a read that started after this call succeeded (or {@link stop} was called).
   */
  request(): Promise<void> {
    if (this.#running !== undefined) {
      this.#again = true;
      return this.#running;
    }
    const run = async () => {
      do {
        this.#again = false;
        await this.#untilDone();
      } while (this.#again && !this.#stopped.signal.aborted);
    };
    const running = run().finally(() => {
      this.#running = undefined;
    });
    this.#running = running;
    return running;
  }

  /** Stops retrying, and aborts a request under way. */
  stop(): void {
    this.#stopped.abort();
  }

  /**
   * One attempt, not retried (for the start, where the service goes on either way and retries in
   * the background). Never rejects.
   * @returns whether it succeeded.
   */
  async attempt(): Promise<boolean> {
    this.#lastAttemptAt = this.#now();
    try {
      await this.#readOnce();
      return true;
    } catch (error) {
      this.#options.failures.inc();
      this.#log.warn({ err: error }, 'could not read the ended logins from auth: retrying');
      return false;
    }
  }

  /**
   * For a caller that needs the record read and found it not read yet: one attempt now, shared by
   * every caller that comes while it runs, and none if one was made in the last `tryNowGapMs`; so
   * the first caller after auth is back need not wait for the backoff, and a flood of callers while
   * auth is down makes a bounded number of attempts. Never rejects.
   */
  tryNow(): Promise<void> {
    if (this.#tried !== undefined) return this.#tried;
    if (this.#now() - this.#lastAttemptAt < (this.#options.tryNowGapMs ?? 250)) return Promise.resolve();
    this.#tried = this.attempt().then(() => {
      this.#tried = undefined;
    });
    return this.#tried;
  }

  async #untilDone(): Promise<void> {
    const { minBackoffMs = 500, maxBackoffMs = 30_000 } = this.#options;
    let backoffMs = minBackoffMs;
    while (!this.#stopped.signal.aborted) {
      if (await this.attempt()) return;
      try {
        await delay(backoffMs, undefined, { signal: this.#stopped.signal });
      } catch {
        return;
      }
      backoffMs = Math.min(backoffMs * 2, maxBackoffMs);
    }
  }

  async #readOnce(): Promise<void> {
    // The tokens' lifetime, unknown before the first read: auth states it with any answer.
    const ttlSec = this.#ttlSec ?? (await this.#fetch(new Date(this.#now()))).access_token_ttl_sec;
    const answer = await this.#fetch(new Date(this.#now() - this.#options.lookbackMs(ttlSec)));
    this.#ttlSec = answer.access_token_ttl_sec;
    this.#options.sink(
      answer.ended.map((login) => ({ sid: login.sid, endedAt: new Date(login.ended_at) })),
      answer.access_token_ttl_sec,
    );
    this.#log.info({ ended: answer.ended.length }, 'ended logins read from auth');
  }

  async #fetch(since: Date): Promise<EndedLoginsAnswer> {
    const { authUrl, timeoutMs = 5000 } = this.#options;
    const url = new URL(`${authUrl.replace(/\/+$/, '')}${ENDED_LOGINS_PATH}`);
    url.searchParams.set('since', since.toISOString());
    const signal = AbortSignal.any([AbortSignal.timeout(timeoutMs), this.#stopped.signal]);
    const response = await (this.#options.fetch ?? globalThis.fetch)(url, { signal });
    if (!response.ok) throw new Error(`GET ${url.pathname} answered ${response.status}`);
    return endedLoginsAnswerSchema.parse(await response.json());
  }
}
