/** One field problem of a problem document. */
export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}

/**
 * A request that did not succeed: an RFC 9457 problem document from a service, an answer that was
 * not one (a proxy's page), or no answer at all (`status` 0). Never shown raw: see
 * `describeError` for the words a person reads.
 */
export class ApiError extends Error {
  /** The HTTP status, or 0 when the request never got an answer. */
  readonly status: number;
  /** The problem document's stable code (`USERNAME_TAKEN`…), when it had one. */
  readonly code: string | undefined;
  /** The problem document's `detail`. */
  readonly detail: string | undefined;
  /** The problem document's field problems. */
  readonly fields: readonly FieldProblem[];
  /** Seconds from `Retry-After`, when the answer had one. */
  readonly retryAfterSec: number | undefined;

  constructor(
    status: number,
    problem: { code?: string; detail?: string; errors?: readonly FieldProblem[] } = {},
    retryAfterSec?: number,
  ) {
    super(problem.detail ?? (status === 0 ? 'no answer' : `HTTP ${status}`));
    this.name = 'ApiError';
    this.status = status;
    this.code = problem.code;
    this.detail = problem.detail;
    this.fields = problem.errors ?? [];
    this.retryAfterSec = retryAfterSec;
  }
}
