import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '@warren/shared/logging';
import { Counter, type Registry } from 'prom-client';
import { z } from 'zod';
import type { DenyList } from './deny-list.ts';

/** The least time between two attempts made for requests ({@link DenyListRebuild.tryNow}). */
const REQUEST_ATTEMPT_GAP_MS = 250;

/** `GET /auth/ended-logins` (auth's record): the logins that ended since `since`. */
const endedLoginsAnswer = z.object({
  ended: z.array(z.object({ sid: z.string().min(1), ended_at: z.string().datetime({ offset: true }) })),
  access_token_ttl_sec: z.number().int().positive(),
});

/** Options of {@link DenyListRebuild}. */
export interface DenyListRebuildOptions {
  /** AUTH_URL. */
  authUrl: string;
  denyList: DenyList;
  logger: Logger;
  registry: Registry;
  /** Time one request to auth may take, body included. @defaultValue 5000 */
  timeoutMs?: number;
  /** The first pause after a failure, doubled after each one. @defaultValue 500 */
  minBackoffMs?: number;
  /** The longest pause between two tries. @defaultValue 30_000 */
  maxBackoffMs?: number;
  /** The HTTP client. @defaultValue globalThis.fetch */
  fetch?: typeof globalThis.fetch;
  /** The clock. @defaultValue Date.now */
  now?: () => number;
}

/**
 * Fills the deny list from auth's record (`GET {AUTH_URL}/auth/ended-logins?since=`), which holds
 * every login that ended, including those whose `login.ended` this instance never heard (it was
 * not running, or its queue was gone). Done at start and after every reconnect of the instance
 * queue; a failure is retried with exponential backoff until it succeeds.
 */
export class DenyListRebuild {
  readonly #options: DenyListRebuildOptions;
  readonly #log: Logger;
  readonly #failures: Counter;
  readonly #now: () => number;
  readonly #stopped = new AbortController();
  /** The rebuild running now, if any. */
  #running: Promise<void> | undefined;
  /** Asked for again while one ran: events may have been missed after its request. */
  #again = false;
  /** The attempt made for requests, shared by those that come while it runs. */
  #forRequests: Promise<void> | undefined;
  #lastAttemptAt = Number.NEGATIVE_INFINITY;

  constructor(options: DenyListRebuildOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#log = options.logger.child({ module: 'deny-list-rebuild' });
    this.#failures = new Counter({
      name: 'warren_chat_api_deny_list_rebuild_failures_total',
      help: 'Attempts to read the ended logins from auth that failed (retried with backoff)',
      registers: [options.registry],
    });
  }

  /**
   * Rebuilds now, or once more after the rebuild under way. Never rejects.
   * @returns when a rebuild that started after this call succeeded (or {@link stop} was called).
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

  /** Stops retrying. */
  stop(): void {
    this.#stopped.abort();
  }

  /**
   * One attempt, for the start: the service listens either way, answering 503 until a rebuild
   * succeeds, and retries in the background.
   * @returns whether it succeeded.
   */
  async attempt(): Promise<boolean> {
    this.#lastAttemptAt = this.#now();
    try {
      await this.#rebuildOnce();
      return true;
    } catch (error) {
      this.#failures.inc();
      this.#log.warn({ err: error }, 'could not read the ended logins from auth: retrying');
      return false;
    }
  }

  /**
   * For a request that found the list not filled yet: one attempt now, shared by every request that
   * comes while it runs, and none if one was made in the last 250 ms; so the first request after
   * auth is back need not wait for the backoff, and a flood of requests while auth is down makes
   * at most four attempts a second. Never rejects.
   */
  tryNow(): Promise<void> {
    if (this.#forRequests !== undefined) return this.#forRequests;
    if (this.#now() - this.#lastAttemptAt < REQUEST_ATTEMPT_GAP_MS) return Promise.resolve();
    this.#forRequests = this.attempt().then(() => {
      this.#forRequests = undefined;
    });
    return this.#forRequests;
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

  async #rebuildOnce(): Promise<void> {
    const { denyList } = this.#options;
    // The tokens' lifetime, unknown before the first rebuild: auth states it with any answer.
    const ttlSec = denyList.accessTokenTtlSec ?? (await this.#fetch(new Date(this.#now()))).access_token_ttl_sec;
    const answer = await this.#fetch(new Date(this.#now() - denyList.lookbackMs(ttlSec)));
    denyList.rebuild(
      answer.ended.map((login) => ({ sid: login.sid, endedAt: new Date(login.ended_at) })),
      answer.access_token_ttl_sec,
    );
    this.#log.info({ ended: answer.ended.length }, 'deny list rebuilt from auth');
  }

  async #fetch(since: Date): Promise<z.infer<typeof endedLoginsAnswer>> {
    const { authUrl, timeoutMs = 5000 } = this.#options;
    const url = new URL(`${authUrl.replace(/\/+$/, '')}/auth/ended-logins`);
    url.searchParams.set('since', since.toISOString());
    const signal = AbortSignal.any([AbortSignal.timeout(timeoutMs), this.#stopped.signal]);
    const response = await (this.#options.fetch ?? globalThis.fetch)(url, { signal });
    if (!response.ok) throw new Error(`GET ${url.pathname} answered ${response.status}`);
    return endedLoginsAnswer.parse(await response.json());
  }
}
