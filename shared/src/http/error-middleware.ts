import type { ErrorRequestHandler, RequestHandler } from 'express';
import { SharedErrors, WarrenError } from '../errors.ts';
import { PROBLEM_CONTENT_TYPE, type Problem, problemType } from './problem.ts';

/** PostgreSQL and driver errors that mean "the database is unreachable", not "your request is bad". */
const DATABASE_DOWN = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08006',
]);

function isDatabaseDown(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return (
    (typeof code === 'string' && DATABASE_DOWN.has(code)) ||
    error.name === 'KnexTimeoutError' ||
    /Connection terminated/.test(error.message)
  );
}

/** The WarrenError an arbitrary thrown value stands for. */
export function toWarrenError(error: unknown): WarrenError {
  if (error instanceof WarrenError) return error;
  const type = (error as { type?: unknown } | null)?.type;
  switch (type) {
    case 'entity.parse.failed':
      return new SharedErrors.invalidJson('the request body is not valid JSON', { cause: error });
    case 'entity.too.large':
      return new SharedErrors.bodyTooLarge('the request body is over 1 MiB', { cause: error });
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new SharedErrors.unsupportedMediaType('send JSON in UTF-8', { cause: error });
  }
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new SharedErrors.invalidRequest('the request could not be read', { cause: error });
  }
  if (isDatabaseDown(error))
    return new SharedErrors.databaseUnavailable('the database is unavailable', { cause: error });
  return new SharedErrors.internal('something went wrong on our side', { cause: error });
}

/** Sends a WarrenError as problem+json. */
export function sendProblem(res: Parameters<RequestHandler>[1], error: WarrenError): void {
  const body: Problem = {
    type: problemType(error.code),
    title: error.title,
    status: error.status,
    detail: error.message,
    code: error.code,
    ...(error.errors ? { errors: error.errors } : {}),
  };
  res.status(error.status).set(error.headers).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
}

/**
 * The one error middleware: every error becomes problem+json. Server-side failures are logged with
 * their cause; clients never see a stack, a SQL message or an HTML page.
 */
export const errorMiddleware: ErrorRequestHandler = (error, req, res, _next) => {
  const warrenError = toWarrenError(error);
  if (warrenError.status >= 500) req.log?.error({ err: error }, warrenError.message);
  else req.log?.debug({ code: warrenError.code }, warrenError.message);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendProblem(res, warrenError);
};

/** Answers every route nobody handled with a 404 problem. */
export const notFoundMiddleware: RequestHandler = (req, _res, next) => {
  next(new SharedErrors.notFound(`no route for ${req.method} ${req.path}`));
};
