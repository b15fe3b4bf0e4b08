/**
 * Whether PostgreSQL refused the values of a row rather than being unavailable: SQLSTATE classes 22
 * (data exception, e.g. a year 0 `created_at` that the envelope accepts and `timestamptz` cannot
 * hold) and 23 (integrity constraint). Retrying such a row can never succeed, so it is
 * dead-lettered; any other error is taken as the database being away and the batch is retried.
 */
export function isRejectedData(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^2[23]/.test(code);
}
