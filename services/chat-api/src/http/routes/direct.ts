import { validate } from '@warren/shared/http';
import { Router } from 'express';
import { callerOf } from '../caller.ts';
import type { RouteDeps } from '../route-deps.ts';
import { usernameBody } from '../schemas.ts';

/** The one direct session of two users. */
export function directRoutes(deps: RouteDeps): Router {
  const router = Router();

  router.post('/direct', async (req, res) => {
    const caller = callerOf(res);
    const { username } = validate(usernameBody, req.body);
    const sessionId = await deps.lifecycle.openDirect(caller, username, String(req.id));
    res.json(await deps.views.get(caller.id, sessionId));
  });

  return router;
}
