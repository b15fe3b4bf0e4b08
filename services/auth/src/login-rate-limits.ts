import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { AuthErrors } from './errors.ts';

/** Options of {@link loginRateLimits}. */
export interface LoginRateLimitOptions {
  /** Failed logins allowed per username within the window. */
  maxFailuresPerUsername: number;
  /** Attempts allowed per client address within the window. */
  maxAttemptsPerAddress: number;
  /** The window in seconds. */
  windowSec: number;
}

/**
 * The two login limits of HTTP.md: per client address (every attempt counts) and per username
 * (failures count, so a user who logs in often is never locked out by their own successes). Counts
 * are kept in memory: per instance, documented in docs/auth.md.
 */
export function loginRateLimits(options: LoginRateLimitOptions): RequestHandler[] {
  const windowMs = options.windowSec * 1000;
  const handler: RequestHandler = (req, _res, next) => {
    const resetTime = (req as { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
    const retryAfter = resetTime
      ? Math.max(1, Math.ceil((resetTime.getTime() - Date.now()) / 1000))
      : options.windowSec;
    next(
      new AuthErrors.tooManyLoginAttempts(`too many login attempts; try again in ${retryAfter} s`, {
        headers: { 'Retry-After': String(retryAfter) },
      }),
    );
  };
  return [
    rateLimit({
      windowMs,
      limit: options.maxAttemptsPerAddress,
      standardHeaders: 'draft-7',
      legacyHeaders: false,
      handler,
    }),
    rateLimit({
      windowMs,
      limit: options.maxFailuresPerUsername,
      skipSuccessfulRequests: true,
      standardHeaders: false,
      legacyHeaders: false,
      keyGenerator: (req) => {
        const username = (req.body as { username?: unknown } | undefined)?.username;
        return `username:${typeof username === 'string' ? username.toLowerCase() : ''}`;
      },
      handler,
    }),
  ];
}
