/** PostgreSQL's SQLSTATE for an insert or update a unique index refused. */
const UNIQUE_VIOLATION = '23505';

/** Whether a query failed because a unique index refused a row (pg sets the SQLSTATE as `code`). */
export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === UNIQUE_VIOLATION;
}
