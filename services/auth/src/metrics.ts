import type { RequestHandler } from 'express';
import { Counter, type Registry } from 'prom-client';

/** How a login ended (the `result` label of `warren_auth_logins_total`). */
export type LoginResult = 'ok' | 'refused';

/** Which token auth refused (the `token` label of `warren_auth_token_refusals_total`). */
export type RefusedToken = 'refresh' | 'access';

/** Which limit answered 429 (the `limit` label of `warren_auth_rate_limited_total`). */
export type RateLimit = 'login' | 'register';

/** Auth's own metrics (docs/operations.md "Metrics"). */
export interface AuthMetrics {
  /** `warren_auth_logins_total{result}`. */
  readonly logins: Counter<'result'>;
  /** `warren_auth_token_refusals_total{token}`. */
  readonly tokenRefusals: Counter<'token'>;
  /** `warren_auth_rate_limited_total{limit}`. */
  readonly rateLimited: Counter<'limit'>;
}

const LOGIN_RESULTS: readonly LoginResult[] = ['ok', 'refused'];
const REFUSED_TOKENS: readonly RefusedToken[] = ['refresh', 'access'];
const RATE_LIMITS: readonly RateLimit[] = ['login', 'register'];

/** Creates auth's metrics in `registry`, every label value at 0 so rates start from a sample. */
export function createAuthMetrics(registry: Registry): AuthMetrics {
  const registers = [registry];
  const metrics: AuthMetrics = {
    logins: new Counter({
      name: 'warren_auth_logins_total',
      help: 'POST /auth/login answers, by result (ok: 200 with tokens; refused: 401 wrong username or password)',
      labelNames: ['result'],
      registers,
    }),
    tokenRefusals: new Counter({
      name: 'warren_auth_token_refusals_total',
      help: 'Tokens refused with 401, by token (refresh: unknown, expired, spent or reused at /refresh; access: at /logout-all and /me)',
      labelNames: ['token'],
      registers,
    }),
    rateLimited: new Counter({
      name: 'warren_auth_rate_limited_total',
      help: 'Requests answered 429 by a rate limit, by limit (login: per address or per username; register: per address)',
      labelNames: ['limit'],
      registers,
    }),
  };
  for (const result of LOGIN_RESULTS) metrics.logins.inc({ result }, 0);
  for (const token of REFUSED_TOKENS) metrics.tokenRefusals.inc({ token }, 0);
  for (const limit of RATE_LIMITS) metrics.rateLimited.inc({ limit }, 0);
  return metrics;
}

/**
 * Counts auth's answers into `metrics` by route and status, mounted in front of the routes at
 * `/auth`: the routes stay free of bookkeeping, and every refusal counts whichever middleware
 * (validation, rate limit, bearer check) gave it.
 */
export function authMetricsMiddleware(metrics: AuthMetrics): RequestHandler {
  return (req, res, next) => {
    // Read now: the path relative to `/auth`, before the router rewrites it.
    const route = `${req.method} ${req.path}`;
    res.on('finish', () => {
      const status = res.statusCode;
      if (route === 'POST /login') {
        if (status === 200) metrics.logins.inc({ result: 'ok' });
        else if (status === 401) metrics.logins.inc({ result: 'refused' });
        else if (status === 429) metrics.rateLimited.inc({ limit: 'login' });
      } else if (route === 'POST /register') {
        if (status === 429) metrics.rateLimited.inc({ limit: 'register' });
      } else if (status === 401) {
        metrics.tokenRefusals.inc({ token: route === 'POST /refresh' ? 'refresh' : 'access' });
      }
    });
    next();
  };
}
