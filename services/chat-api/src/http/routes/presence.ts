import { validate } from '@warren/shared/http';
import { Router } from 'express';
import { callerOf } from '../caller.ts';
import type { RouteDeps } from '../route-deps.ts';
import { presenceQuery } from '../schemas.ts';

/** Who of the users the caller shares sessions with is online. */
export function presenceRoutes(deps: RouteDeps): Router {
  const router = Router();

  router.get('/presence', async (req, res) => {
    const caller = callerOf(res);
    const { user_ids } = validate(presenceQuery, req.query, 'query');
    res.json({ users: await deps.presence.of(caller.id, user_ids) });
  });

  return router;
}
