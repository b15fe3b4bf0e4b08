import { validate } from '@warren/shared/http';
import { Router } from 'express';
import { ChatApiErrors } from '../../errors.ts';
import type { PostedMessage } from '../../messages/message-posting.ts';
import { sessionIdOf } from '../../sessions/session-access.ts';
import { callerOf } from '../caller.ts';
import { memberCallerOf } from '../member-caller.ts';
import { postedMessageOf } from '../posted-message.ts';
import type { RouteDeps } from '../route-deps.ts';
import { historyQuery } from '../schemas.ts';

/** History and posting. */
export function messageRoutes(deps: RouteDeps): Router {
  const router = Router();

  router.get('/sessions/:id/messages', async (req, res) => {
    const { sessionId } = await memberCallerOf(res, req.params.id, deps.access);
    const query = validate(historyQuery, req.query, 'query');
    res.json(await deps.reading.page(sessionId, query));
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
    // The body is read before membership is asked, so the access query can say whether its id is
    // stored; a refusal of the body still comes after the access decision (rate, membership, body).
    let posted: PostedMessage | undefined;
    let refusal: unknown;
    try {
      posted = postedMessageOf(req.body);
    } catch (error) {
      refusal = error;
    }
    const { stored } = await deps.access.memberPosting(caller.id, sessionId, posted?.id);
    if (posted === undefined) throw refusal;
    const message = await deps.posting.post(caller, sessionId, posted, stored);
    res.status(202).json({ message });
  });

  return router;
}
