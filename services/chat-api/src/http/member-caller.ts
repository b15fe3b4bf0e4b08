import type { Response } from 'express';
import type { Caller } from '../sessions/caller.ts';
import { type SessionAccess, sessionIdOf } from '../sessions/session-access.ts';
import { callerOf } from './caller.ts';

/**
 * The caller of a route on session `id` that only its members may use, and the session's id.
 * @throws SESSION_NOT_FOUND (404): not a session id, or a session the caller may not see;
 * NOT_A_MEMBER (403): a public session the caller is not in.
 */
export async function memberCallerOf(
  res: Response,
  id: string,
  access: SessionAccess,
): Promise<{ caller: Caller; sessionId: string }> {
  const caller = callerOf(res);
  const sessionId = sessionIdOf(id);
  await access.member(caller.id, sessionId);
  return { caller, sessionId };
}
