/**
 * The pause before retry number `attempt` (1 for the first retry): `initialMs` doubling each time,
 * never more than `maxMs`. No jitter: each persister instance retries one transaction at a time, so
 * even instances in step give a recovering database a handful of transactions, not a stampede.
 */
export function retryDelayMs(attempt: number, initialMs: number, maxMs: number): number {
  // Capping the exponent keeps 2 ** n finite however long PostgreSQL stays away.
  const exponent = Math.min(Math.max(attempt, 1) - 1, 30);
  return Math.min(initialMs * 2 ** exponent, maxMs);
}
