import { validate } from '@warren/shared/http';
import { Router } from 'express';
import { sessionIdOf } from '../../sessions/session-access.ts';
import { callerOf } from '../caller.ts';
import type { RouteDeps } from '../route-deps.ts';
import { usernameBody } from '../schemas.ts';

/** Joining, leaving, adding and removing members. */
export function membershipRoutes(deps: RouteDeps): Router {
  const router = Router();

  router.post('/sessions/:id/join', async (req, res) => {
    const caller = callerOf(res);
    const sessionId = sessionIdOf(req.params.id);
    await deps.membership.join(caller, sessionId, String(req.id));
    res.json(await deps.views.get(caller.id, sessionId));
  });

  router.post('/sessions/:id/leave', async (req, res) => {
    await deps.membership.leave(callerOf(res), sessionIdOf(req.params.id), String(req.id));
    res.status(204).end();
  });

  router.post('/sessions/:id/members', async (req, res) => {
    const caller = callerOf(res);
    const sessionId = sessionIdOf(req.params.id);
    const { username } = validate(usernameBody, req.body);
    await deps.membership.add(caller, sessionId, username, String(req.id));
    res.json(await deps.views.get(caller.id, sessionId));
  });

  router.delete('/sessions/:id/members/:userId', async (req, res) => {
    await deps.membership.remove(callerOf(res), sessionIdOf(req.params.id), req.params.userId, String(req.id));
    res.status(204).end();
  });

  return router;
}
