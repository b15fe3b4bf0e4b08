import { validate } from '@warren/shared/http';
import { Router } from 'express';
import { callerOf } from '../caller.ts';
import type { RouteDeps } from '../route-deps.ts';
import { messageSearchQuery } from '../schemas.ts';

/** Full-text search over the messages of the caller's sessions. */
export function searchRoutes(deps: RouteDeps): Router {
  const router = Router();

  router.get('/search', async (req, res) => {
    const caller = callerOf(res);
    const query = validate(messageSearchQuery, req.query, 'query');
    res.json(await deps.search.search(caller.id, query));
  });

  return router;
}
