import { validate } from '@warren/shared/http';
import { Router } from 'express';
import { sessionIdOf } from '../../sessions/session-access.ts';
import { callerOf } from '../caller.ts';
import type { RouteDeps } from '../route-deps.ts';
import { createSessionBody, searchQuery, updateSessionBody } from '../schemas.ts';

/** Sessions themselves: create, list, search, detail, change, delete. */
export function sessionRoutes(deps: RouteDeps): Router {
  const router = Router();

  router.post('/sessions', async (req, res) => {
    const caller = callerOf(res);
    const body = validate(createSessionBody, req.body);
    const id = await deps.lifecycle.createGroup(caller, body, String(req.id));
    res.status(201).json(await deps.views.get(caller.id, id));
  });

  router.get('/sessions', async (_req, res) => {
    res.json({ sessions: await deps.views.listOf(callerOf(res).id) });
  });

  router.get('/sessions/search', async (req, res) => {
    const { q } = validate(searchQuery, req.query, 'query');
    res.json({ sessions: await deps.views.searchPublic(callerOf(res).id, q) });
  });

  router.get('/sessions/:id', async (req, res) => {
    const caller = callerOf(res);
    const sessionId = sessionIdOf(req.params.id);
    await deps.access.visible(caller.id, sessionId);
    res.json(await deps.views.detail(caller.id, sessionId));
  });

  router.patch('/sessions/:id', async (req, res) => {
    const caller = callerOf(res);
    const sessionId = sessionIdOf(req.params.id);
    const body = validate(updateSessionBody, req.body);
    await deps.lifecycle.update(caller, sessionId, body, String(req.id));
    res.json(await deps.views.get(caller.id, sessionId));
  });

  router.delete('/sessions/:id', async (req, res) => {
    await deps.lifecycle.delete(callerOf(res), sessionIdOf(req.params.id), String(req.id));
    res.status(204).end();
  });

  return router;
}
