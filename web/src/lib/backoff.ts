/** Options of {@link backoffDelay}. */
export interface BackoffOptions {
  /** The ceiling of the first retry's delay. */
  readonly baseMs: number;
  /** No delay is longer than this. */
  readonly maxMs: number;
}

/**
 * The delay before reconnect attempt `attempt` (0 for the first): exponential with full jitter, a
 * random time up to `baseMs * 2^attempt` capped at `maxMs`, so clients that lost the same gateway
 * at the same moment do not all come back at once.
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(random() * ceiling);
}
