import { validate } from '@warren/shared';
import { Router } from 'express';
import { callerOf } from '../caller.ts';
import { ChatApiErrors } from '../errors.ts';
import { historyQuery, postMessageBody } from '../schemas.ts';
import { sessionIdOf } from '../session-access.ts';
import type { RouteDeps } from './route-deps.ts';

/** History and posting. */
export function messageRoutes(deps: RouteDeps): Router {
  const router = Router();

  router.get('/sessions/:id/messages', async (req, res) => {
    const caller = callerOf(res);
    const sessionId = sessionIdOf(req.params.id);
    await deps.access.member(caller.id, sessionId);
    const query = validate(historyQuery, req.query, 'query');
    const seqOf = async (messageId: string | undefined) => {
      if (messageId === undefined) return undefined;
      const seq = await deps.history.seqOf(sessionId, messageId.toLowerCase());
      if (seq === undefined) {
        throw new ChatApiErrors.messageNotFound(`session ${sessionId} holds no message ${messageId}`);
      }
      return seq;
    };
    const [before, after] = [await seqOf(query.before), await seqOf(query.after)];
    res.json(
      await deps.history.page(
        sessionId,
        { ...(before === undefined ? {} : { before }), ...(after === undefined ? {} : { after }) },
        query.limit,
      ),
    );
  });

  router.post('/sessions/:id/messages', async (req, res) => {
    const caller = callerOf(res);
    const sessionId = sessionIdOf(req.params.id);
    const decision = deps.postRateLimit.take(caller.id);
    if (!decision.allowed) {
      const retryAfter = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
      throw new ChatApiErrors.tooManyMessages(`too many messages; try again in ${retryAfter} s`, {
        headers: { 'Retry-After': String(retryAfter) },
      });
    }
    await deps.access.member(caller.id, sessionId);
    const body = validate(postMessageBody, req.body);
    const message = await deps.posting.post(caller, sessionId, body);
    res.status(202).json({ message });
  });

  return router;
}
