import type { RequestHandler, Response } from 'express';
import { SharedErrors } from '../errors.ts';
import type { AccessTokenClaims } from './access-token-claims.ts';
import type { TokenVerifier } from './token-verifier.ts';

/**
 * Express middleware that admits a request carrying a valid `Authorization: Bearer <token>` and
 * keeps its claims for {@link authOf}. Otherwise it passes a 401 error on to the error handler,
 * with the `WWW-Authenticate` header of RFC 6750 §3: `Bearer`, plus `error="invalid_token"` when
 * a token was given; or, when auth's signing keys cannot be fetched, the verifier's 503
 * `SIGNING_KEYS_UNAVAILABLE`.
 */
export function bearerAuth(verifier: Pick<TokenVerifier, 'verify'>): RequestHandler {
  return async (req, res, next) => {
    const token = bearerTokenOf(req.headers.authorization);
    if (token === undefined) {
      next(new SharedErrors.unauthorized('bearer token missing', { headers: { 'WWW-Authenticate': 'Bearer' } }));
      return;
    }
    let claims: AccessTokenClaims;
    try {
      claims = await verifier.verify(token);
    } catch (error) {
      // An outage of auth's keys is a 503: the client should retry, not sign in again.
      if (error instanceof SharedErrors.signingKeysUnavailable) {
        next(error);
        return;
      }
      // Keeps the verifier's safe detail and, for logs, its cause; anything else is a plain refusal.
      const refusal = error instanceof SharedErrors.unauthorized ? error : undefined;
      next(
        new SharedErrors.unauthorized(refusal?.message ?? 'token invalid', {
          cause: refusal === undefined ? error : refusal.cause,
          headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
        }),
      );
      return;
    }
    res.locals.auth = claims;
    next();
  };
}

/**
 * What follows the Bearer scheme (case-insensitive) in an Authorization header, if anything: even a
 * malformed token counts as given, so the client learns it is invalid rather than missing.
 */
function bearerTokenOf(authorization: string | undefined): string | undefined {
  const token = /^Bearer\s+(.*)$/i.exec(authorization ?? '')?.[1]?.trim();
  return token === '' ? undefined : token;
}

/**
 * The claims {@link bearerAuth} admitted this request with.
 *
 * @throws Error when the route is not behind `bearerAuth`: a programming error, not a refusal.
 */
export function authOf(res: Response): AccessTokenClaims {
  const claims: unknown = res.locals.auth;
  if (claims === undefined) throw new Error('authOf: no bearerAuth before this route');
  return claims as AccessTokenClaims;
}
