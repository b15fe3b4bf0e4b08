import { validate as isUuid } from 'uuid';
import type { Caller } from './caller.ts';
import { ChatApiErrors } from './errors.ts';
import type { MemberRow, MemberStore } from './member-store.ts';
import type { SessionRow, SessionStore } from './session-store.ts';

/**
 * A session id from a path: canonical (lower-case) when it is a UUID.
 * @throws SESSION_NOT_FOUND (404) otherwise: no session has such an id.
 */
export function sessionIdOf(value: string | undefined): string {
  if (value === undefined || !isUuid(value)) throw new ChatApiErrors.sessionNotFound(`no session ${value}`);
  return value.toLowerCase();
}

/**
 * Who may see a session: anyone a public one, members a private one. A private session answers
 * 404 to others, exactly like a session that does not exist, so its existence does not leak.
 * @throws SESSION_NOT_FOUND (404).
 */
export function requireVisible(
  sessionId: string,
  session: SessionRow | undefined,
  member: MemberRow | undefined,
): asserts session is SessionRow {
  if (session === undefined || (member === undefined && session.visibility === 'private')) {
    throw new ChatApiErrors.sessionNotFound(`no session ${sessionId}`);
  }
}

/**
 * Routes for members: others get 404 for a private session and 403 for a public one.
 * @throws SESSION_NOT_FOUND (404) or NOT_A_MEMBER (403).
 */
export function requireMember(
  sessionId: string,
  session: SessionRow | undefined,
  member: MemberRow | undefined,
): asserts member is MemberRow {
  requireVisible(sessionId, session, member);
  if (member === undefined) throw new ChatApiErrors.notAMember(`you are not a member of session ${sessionId}`);
}

/**
 * Routes for the owner: members who are not the owner get 403 (a direct session has no owner).
 * @throws SESSION_NOT_FOUND (404), NOT_A_MEMBER (403) or NOT_THE_OWNER (403).
 */
export function requireOwner(
  caller: Caller,
  sessionId: string,
  session: SessionRow | undefined,
  member: MemberRow | undefined,
): asserts session is SessionRow {
  requireMember(sessionId, session, member);
  if (session?.owner_id !== caller.id) {
    throw new ChatApiErrors.notTheOwner(`only the owner of session ${sessionId} may do this`);
  }
}

/** A session and the caller's membership of it, as they are now (neither may exist). */
export async function accessOf(
  sessions: SessionStore,
  members: MemberStore,
  sessionId: string,
  callerId: string,
): Promise<{ session: SessionRow | undefined; member: MemberRow | undefined }> {
  const session = await sessions.find(sessionId);
  return { session, member: session && (await members.find(sessionId, callerId)) };
}
