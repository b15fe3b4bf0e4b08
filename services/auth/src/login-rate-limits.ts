import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { AuthErrors } from './errors.ts';
import { tooManyRequests } from './too-many-requests.ts';
import { usernameKey } from './username-key.ts';

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
 *
 * The username limit is counted under the same key the user is looked up by ({@link usernameKey}),
 * so every spelling that finds a user shares its budget. A name no user can have finds nobody
 * whatever the password, so it has no budget to guard: only the address limit counts it.
 */
export function loginRateLimits(options: LoginRateLimitOptions): RequestHandler[] {
  const windowMs = options.windowSec * 1000;
  const handler = tooManyRequests(AuthErrors.tooManyLoginAttempts, 'login attempts', options.windowSec);
  const keyOf = (body: unknown) => usernameKey((body as { username?: unknown } | undefined)?.username);
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
      skip: (req) => keyOf(req.body) === undefined,
      keyGenerator: (req) => `username:${keyOf(req.body)}`,
      handler,
    }),
  ];
}
