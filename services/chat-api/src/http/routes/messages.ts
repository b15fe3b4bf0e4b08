import { contentOf, emojiOf } from '@warren/shared/envelope';
import { validate } from '@warren/shared/http';
import { type Response, Router } from 'express';
import { ChatApiErrors } from '../../errors.ts';
import type { PostedMessage } from '../../messages/message-posting.ts';
import { sessionIdOf } from '../../sessions/session-access.ts';
import { callerOf } from '../caller.ts';
import { field } from '../envelope-field.ts';
import { memberCallerOf } from '../member-caller.ts';
import { messageIdParam } from '../message-id-param.ts';
import { postedMessageOf } from '../posted-message.ts';
import type { RouteDeps } from '../route-deps.ts';
import { editMessageBody, historyQuery, threadQuery } from '../schemas.ts';

/** The path of the reaction routes. */
interface ReactionParams {
  readonly id: string;
  readonly messageId: string;
  readonly emoji: string;
}

/** History, posting, threads, and changes of posted messages (edits, deletes, reactions). */
export function messageRoutes(deps: RouteDeps): Router {
  const router = Router();

  router.get('/sessions/:id/messages', async (req, res) => {
    const { caller, sessionId } = await memberCallerOf(res, req.params.id, deps.access);
    const query = validate(historyQuery, req.query, 'query');
    res.json(await deps.reading.page(caller.id, sessionId, query));
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
    const message = await deps.posting.post(caller, sessionId, posted, stored, String(req.id));
    res.status(202).json({ message });
  });

  router.get('/sessions/:id/messages/:messageId/thread', async (req, res) => {
    const { caller, sessionId } = await memberCallerOf(res, req.params.id, deps.access);
    const messageId = messageIdParam(req.params.messageId);
    const query = validate(threadQuery, req.query, 'query');
    res.json(await deps.reading.thread(caller.id, sessionId, messageId, query));
  });

  router.patch('/sessions/:id/messages/:messageId', async (req, res) => {
    const { caller, sessionId } = await memberCallerOf(res, req.params.id, deps.access);
    const messageId = messageIdParam(req.params.messageId);
    const body = validate(editMessageBody, req.body);
    const content = field('content', () => contentOf(body.content));
    const message = await deps.changes.edit(caller, sessionId, messageId, content, String(req.id));
    res.status(202).json({ message });
  });

  router.delete('/sessions/:id/messages/:messageId', async (req, res) => {
    const caller = callerOf(res);
    const sessionId = sessionIdOf(req.params.id);
    const { session } = await deps.access.member(caller.id, sessionId);
    const messageId = messageIdParam(req.params.messageId);
    const changed = { id: sessionId, ownerId: session.owner_id };
    const message = await deps.changes.delete(caller, changed, messageId, String(req.id));
    res.status(202).json({ message });
  });

  /** Adds (`present`) or removes the caller's reaction; the path's emoji comes URL-decoded. */
  const react = async (params: ReactionParams, res: Response, present: boolean, requestId: string) => {
    const { caller, sessionId } = await memberCallerOf(res, params.id, deps.access);
    const messageId = messageIdParam(params.messageId);
    const emoji = field('emoji', () => emojiOf(params.emoji), 'path');
    await deps.changes.react(caller, sessionId, messageId, emoji, present, requestId);
    res.status(204).end();
  };
  router.put('/sessions/:id/messages/:messageId/reactions/:emoji', (req, res) =>
    react(req.params, res, true, String(req.id)),
  );
  router.delete('/sessions/:id/messages/:messageId/reactions/:emoji', (req, res) =>
    react(req.params, res, false, String(req.id)),
  );

  return router;
}
