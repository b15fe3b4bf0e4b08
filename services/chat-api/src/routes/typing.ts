import { Router } from 'express';
import { callerOf } from '../caller.ts';
import { sessionIdOf } from '../session-access.ts';
import type { RouteDeps } from './route-deps.ts';

/** Typing indicators: published at most once per user and session per interval, the rest accepted. */
export function typingRoutes(deps: RouteDeps): Router {
  const router = Router();

  router.post('/sessions/:id/typing', async (req, res) => {
    const caller = callerOf(res);
    const sessionId = sessionIdOf(req.params.id);
    await deps.access.member(caller.id, sessionId);
    if (deps.typingThrottle.admit(caller.id, sessionId)) await deps.events.typing(sessionId, caller);
    res.status(204).end();
  });

  return router;
}
