import { SharedErrors } from '@warren/shared/errors';
import { limits } from '@warren/shared/limits';
import { authOf, bearerAuth, type TokenVerifier } from '@warren/shared/tokens';
import { type RequestHandler, Router } from 'express';
import { validate as isUuid } from 'uuid';
import type { RouteDeps } from './route-deps.ts';
import { directRoutes } from './routes/direct.ts';
import { membershipRoutes } from './routes/membership.ts';
import { messageRoutes } from './routes/messages.ts';
import { readMarkerRoutes } from './routes/read-markers.ts';
import { searchRoutes } from './routes/search.ts';
import { sessionRoutes } from './routes/sessions.ts';
import { typingRoutes } from './routes/typing.ts';
import { userRoutes } from './routes/users.ts';

/**
 * Admits the caller a valid token names and makes sure the copy of users knows them, so a user who
 * signs in before chat-api heard of their registration can still be added and named.
 */
function rememberCaller(deps: RouteDeps): RequestHandler {
  return async (_req, res, next) => {
    const { sub, name } = authOf(res);
    if (!isUuid(sub) || !limits.username.pattern.test(name)) {
      throw new SharedErrors.unauthorized('the token does not name a Warren user', {
        headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
      });
    }
    const caller = { id: sub.toLowerCase(), username: name };
    await deps.users.rememberCaller(caller);
    res.locals.caller = caller;
    next();
  };
}

/** The routes of HTTP.md's chat-api table, under `/api`, every one behind a bearer token. */
export function apiRoutes(deps: RouteDeps, verifier: Pick<TokenVerifier, 'verify'>): Router {
  const router = Router();
  router.use(bearerAuth(verifier), rememberCaller(deps));
  // The busiest routes first (no two routers share a path): a request is matched against every
  // route before its own, and posting, marking read and typing come with every chat line.
  router.use(messageRoutes(deps));
  router.use(readMarkerRoutes(deps));
  router.use(typingRoutes(deps));
  router.use(sessionRoutes(deps));
  router.use(membershipRoutes(deps));
  router.use(directRoutes(deps));
  router.use(userRoutes(deps));
  router.use(searchRoutes(deps));
  return router;
}
