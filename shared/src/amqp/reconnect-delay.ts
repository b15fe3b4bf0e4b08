/** Options of {@link reconnectDelay}. */
export interface ReconnectDelayOptions {
  /** Delay of the first round. */
  readonly initialDelayMs: number;
  /** Longest delay. */
  readonly maxDelayMs: number;
  /** How many nodes one round tries. */
  readonly nodes: number;
  /** Spread of each delay, a fraction of it either way. @defaultValue 0.2 */
  readonly jitter?: number;
  /** A source of numbers in [0, 1). @defaultValue Math.random */
  readonly random?: () => number;
}

/**
 * How long to wait before connection attempt `attempt` (1 for the first after a loss or a failure).
 * Attempts go round the nodes of the list; the delay doubles once per round, not per attempt, so a
 * client whose node went away tries every other node soon, and backs off only when none answers. The
 * jitter keeps the instances that lost one node from coming back in step.
 */
export function reconnectDelay(attempt: number, options: ReconnectDelayOptions): number {
  const jitter = options.jitter ?? 0.2;
  const round = Math.floor((Math.max(1, attempt) - 1) / Math.max(1, options.nodes));
  // Capped below maxDelay so that the jitter's upper end lands on it, never past it.
  const base = Math.min(options.maxDelayMs / (1 + jitter), options.initialDelayMs * 2 ** round);
  const offset = ((options.random ?? Math.random)() * 2 - 1) * jitter * base;
  return Math.max(0, Math.round(base + offset));
}
