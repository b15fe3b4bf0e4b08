import { Router } from 'express';
import { memberCallerOf } from '../member-caller.ts';
import type { RouteDeps } from '../route-deps.ts';

/** Typing indicators. */
export function typingRoutes(deps: RouteDeps): Router {
  const router = Router();

  router.post('/sessions/:id/typing', async (req, res) => {
    const { caller, sessionId } = await memberCallerOf(res, req.params.id, deps.access);
    await deps.typing(caller, sessionId, String(req.id));
    res.status(204).end();
  });

  return router;
}
