import { validate } from '@warren/shared/http';
import { Router } from 'express';
import { sessionIdOf } from '../../sessions/session-access.ts';
import { callerOf } from '../caller.ts';
import type { RouteDeps } from '../route-deps.ts';
import { readBody } from '../schemas.ts';

/** Read markers. */
export function readMarkerRoutes(deps: RouteDeps): Router {
  const router = Router();

  router.post('/sessions/:id/read', async (req, res) => {
    const caller = callerOf(res);
    const sessionId = sessionIdOf(req.params.id);
    await deps.access.member(caller.id, sessionId);
    const { message_id } = validate(readBody, req.body);
    await deps.readMarkers.markRead(caller, sessionId, message_id.toLowerCase());
    res.status(204).end();
  });

  return router;
}
