import type { WarrenErrorClass } from '@warren/shared/errors';
import type { RequestHandler } from 'express';

/**
 * The answer of an express-rate-limit limiter that is over its limit: `error` (a 429) with
 * `Retry-After`, the seconds until the caller's window ends (the whole window when unknown).
 */
export function tooManyRequests(error: WarrenErrorClass, what: string, windowSec: number): RequestHandler {
  return (req, _res, next) => {
    const resetTime = (req as { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
    const retryAfter = resetTime ? Math.max(1, Math.ceil((resetTime.getTime() - Date.now()) / 1000)) : windowSec;
    next(
      new error(`too many ${what}; try again in ${retryAfter} s`, { headers: { 'Retry-After': String(retryAfter) } }),
    );
  };
}
