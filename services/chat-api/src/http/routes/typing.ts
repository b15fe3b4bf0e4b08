import { Router } from 'express';
import { sessionIdOf } from '../../sessions/session-access.ts';
import { callerOf } from '../caller.ts';
import type { RouteDeps } from '../route-deps.ts';

/** Typing indicators. */
export function typingRoutes(deps: RouteDeps): Router {
  const router = Router();

  router.post('/sessions/:id/typing', async (req, res) => {
    const caller = callerOf(res);
    const sessionId = sessionIdOf(req.params.id);
    await deps.access.member(caller.id, sessionId);
    await deps.typing(caller, sessionId);
    res.status(204).end();
  });

  return router;
}
