import { SharedErrors } from '@warren/shared/errors';
import { serveOpenApi } from '@warren/shared/http';
import { limits } from '@warren/shared/limits';
import { authOf, bearerAuth, type TokenVerifier } from '@warren/shared/tokens';
import { type RequestHandler, Router } from 'express';
import { validate as isUuid } from 'uuid';
import { ChatApiErrors } from '../errors.ts';
import type { DenyList } from '../tokens/deny-list.ts';
import type { DenyListRebuild } from '../tokens/deny-list-rebuild.ts';
import { chatApiOpenApiSpec } from './openapi.ts';
import type { RouteDeps } from './route-deps.ts';
import { directRoutes } from './routes/direct.ts';
import { membershipRoutes } from './routes/membership.ts';
import { messageRoutes } from './routes/messages.ts';
import { presenceRoutes } from './routes/presence.ts';
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

/** The deny list's state and how to fill it, as the API routes see them. */
export interface SignOuts {
  denyList: Pick<DenyList, 'ready'>;
  rebuild: Pick<DenyListRebuild, 'tryNow'>;
}

/**
 * Refuses to serve (503 `ENDED_LOGINS_UNKNOWN`) before the deny list was first filled from auth's
 * record (tried once more for the request, at most every 250 ms): the token just admitted may be
 * of a login that ended while this instance was not listening. After the token's own check, so a
 * bad token is still a 401 and auth's keys being away still a `SIGNING_KEYS_UNAVAILABLE`.
 */
function endedLoginsKnown({ denyList, rebuild }: SignOuts): RequestHandler {
  return async (_req, _res, next) => {
    if (!denyList.ready) await rebuild.tryNow();
    if (!denyList.ready) {
      throw new ChatApiErrors.endedLoginsUnknown('the logins that ended are not known yet: retry shortly', {
        headers: { 'Retry-After': '1' },
      });
    }
    next();
  };
}

/**
 * The routes of HTTP.md's chat-api table, under `/api`, every one behind a bearer token whose
 * login has not ended (`verifier` consults the deny list); before them, unauthenticated, their
 * OpenAPI document (`openapi.ts`).
 */
export function apiRoutes(deps: RouteDeps, verifier: Pick<TokenVerifier, 'verify'>, signOuts: SignOuts): Router {
  const router = Router();
  router.get('/openapi.json', serveOpenApi(chatApiOpenApiSpec));
  router.use(bearerAuth(verifier), endedLoginsKnown(signOuts), rememberCaller(deps));
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
  router.use(presenceRoutes(deps));
  return router;
}
