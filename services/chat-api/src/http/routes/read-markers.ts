import { validate } from '@warren/shared/http';
import { Router } from 'express';
import { memberCallerOf } from '../member-caller.ts';
import type { RouteDeps } from '../route-deps.ts';
import { readBody } from '../schemas.ts';

/** Read markers. */
export function readMarkerRoutes(deps: RouteDeps): Router {
  const router = Router();

  router.post('/sessions/:id/read', async (req, res) => {
    const { caller, sessionId } = await memberCallerOf(res, req.params.id, deps.access);
    const { message_id } = validate(readBody, req.body);
    await deps.readMarkers.markRead(caller, sessionId, message_id.toLowerCase(), String(req.id));
    res.status(204).end();
  });

  return router;
}
