import { validate } from '@warren/shared/http';
import { Router } from 'express';
import type { RouteDeps } from '../route-deps.ts';
import { searchQuery } from '../schemas.ts';

/** Most users a user search returns (HTTP.md). */
export const USER_SEARCH_LIMIT = 20;

/** User search, for adding members and opening direct sessions. */
export function userRoutes(deps: RouteDeps): Router {
  const router = Router();

  router.get('/users', async (req, res) => {
    const { q } = validate(searchQuery, req.query, 'query');
    res.json({ users: await deps.users.search(q, USER_SEARCH_LIMIT) });
  });

  return router;
}
