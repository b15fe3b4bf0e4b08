import type { Knex } from '@warren/shared/db';
import type { MessageRow } from '@warren/shared/history';
import { validate as isUuid } from 'uuid';
import { ChatApiErrors } from '../errors.ts';
import type { MemberRow, MemberStore } from '../stores/member-store.ts';
import type { VisibleSession, VisibleSessions } from '../stores/visible-session.ts';
import type { Caller } from './caller.ts';
import type { MembershipCache } from './membership-cache.ts';

/**
 * A session id from a path: canonical (lower-case) when it is a UUID.
 * @throws SESSION_NOT_FOUND (404) otherwise: no session has such an id.
 */
export function sessionIdOf(value: string | undefined): string {
  if (value === undefined || !isUuid(value)) throw new ChatApiErrors.sessionNotFound(`no session ${value}`);
  return value.toLowerCase();
}

/** A session the caller may see, and their membership of it (none for a public one they are not in). */
export type Access = VisibleSession;

/** A session the caller is a member of. */
export interface MemberAccess extends Access {
  readonly member: MemberRow;
}

function notFound(sessionId: string): Error {
  return new ChatApiErrors.sessionNotFound(`no session ${sessionId}`);
}

function notAMember(sessionId: string): Error {
  return new ChatApiErrors.notAMember(`you are not a member of session ${sessionId}`);
}

/**
 * Who may see and change a session: anyone a public one, members a private one, which answers 404
 * to others exactly like a session that does not exist, so its existence does not leak. Every
 * route that names a session decides through this class.
 */
export class SessionAccess {
  readonly #visible: VisibleSessions;
  readonly #members: MemberStore;
  readonly #cache: MembershipCache;

  /** `cache` answers posts by known members without a query (see {@link memberPosting}). */
  constructor(visible: VisibleSessions, members: MemberStore, cache: MembershipCache) {
    this.#visible = visible;
    this.#members = members;
    this.#cache = cache;
  }

  /**
   * The session and the caller's membership, as they are now.
   * @throws SESSION_NOT_FOUND (404) for a session that does not exist or is private and not theirs.
   */
  async visible(callerId: string, sessionId: string): Promise<Access> {
    const access = await this.#visible.find(callerId, sessionId);
    if (access === undefined) throw notFound(sessionId);
    return access;
  }

  /**
   * For routes for members: others get 404 for a private session and 403 for a public one.
   * @throws SESSION_NOT_FOUND (404) or NOT_A_MEMBER (403).
   */
  async member(callerId: string, sessionId: string): Promise<MemberAccess> {
    const access = await this.visible(callerId, sessionId);
    requireMember(sessionId, access);
    return access;
  }

  /**
   * {@link member} for posting, which also needs to know whether the client's message id is stored
   * already: that lookup rides on the access query, so a post costs one round trip. A post without
   * an id by a member the {@link MembershipCache} holds costs none. The stored message is only told
   * to a member.
   * @throws SESSION_NOT_FOUND (404) or NOT_A_MEMBER (403).
   */
  async memberPosting(
    callerId: string,
    sessionId: string,
    messageId: string | undefined,
  ): Promise<{ stored: MessageRow | undefined }> {
    const cache = this.#cache;
    if (messageId === undefined && cache.has(sessionId, callerId)) return { stored: undefined };
    const epoch = cache.epoch;
    const access = await this.#visible.findForPosting(callerId, sessionId, messageId);
    if (access === undefined) throw notFound(sessionId);
    if (!access.isMember) throw notAMember(sessionId);
    cache.remember(sessionId, callerId, epoch);
    return { stored: access.stored };
  }

  /**
   * The decision inside a change's transaction: the session's row locked until it ends (only when
   * the caller may see it), then the caller's membership read again, because the statement that
   * waited for the lock still saw the members of before the change that held it.
   * @throws SESSION_NOT_FOUND (404).
   */
  async lock(trx: Knex.Transaction, callerId: string, sessionId: string): Promise<Access> {
    const locked = await this.#visible.lock(trx, callerId, sessionId);
    if (locked === undefined) throw notFound(sessionId);
    const member = await this.#members.find(sessionId, callerId, trx);
    if (member === undefined && locked.session.visibility === 'private') throw notFound(sessionId);
    return { session: locked.session, member };
  }
}

/**
 * Routes for members: a public session's non-members get 403.
 * @throws NOT_A_MEMBER (403).
 */
export function requireMember(sessionId: string, access: Access): asserts access is MemberAccess {
  if (access.member === undefined) throw notAMember(sessionId);
}

/**
 * Routes for the owner: members who are not the owner get 403 (a direct session has no owner).
 * @throws NOT_A_MEMBER (403) or NOT_THE_OWNER (403).
 */
export function requireOwner(caller: Caller, sessionId: string, access: Access): asserts access is MemberAccess {
  requireMember(sessionId, access);
  if (access.session.owner_id !== caller.id) {
    throw new ChatApiErrors.notTheOwner(`only the owner of session ${sessionId} may do this`);
  }
}
