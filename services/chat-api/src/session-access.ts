import type { Knex } from '@warren/shared';
import { validate as isUuid } from 'uuid';
import type { Caller } from './caller.ts';
import { ChatApiErrors } from './errors.ts';
import type { MemberRow, MemberStore } from './member-store.ts';
import { CHAT_SCHEMA } from './migrations/index.ts';
import type { SessionRow } from './session-store.ts';

/**
 * A session id from a path: canonical (lower-case) when it is a UUID.
 * @throws SESSION_NOT_FOUND (404) otherwise: no session has such an id.
 */
export function sessionIdOf(value: string | undefined): string {
  if (value === undefined || !isUuid(value)) throw new ChatApiErrors.sessionNotFound(`no session ${value}`);
  return value.toLowerCase();
}

/** A session the caller may see, and their membership of it (none for a public one they are not in). */
export interface Access {
  readonly session: SessionRow;
  readonly member: MemberRow | undefined;
}

/** A session the caller is a member of. */
export interface MemberAccess extends Access {
  readonly member: MemberRow;
}

/**
 * The one access decision: the session, with the caller's membership, only when it exists and is
 * public or the caller is a member. A missing session and a private one the caller is not in are
 * the same single round trip answering no row, so neither their answer nor their timing tells
 * them apart. Bindings: the caller's id, the session id.
 */
const VISIBLE = `
  select s.id, s.kind, s.name, s.visibility, s.owner_id, s.created_at, s.bumped_at, s.version, s.direct_key,
    m.session_id as m_session_id, m.user_id as m_user_id, m.role as m_role, m.joined_at as m_joined_at,
    m.read_seq as m_read_seq
  from ${CHAT_SCHEMA}.sessions s
  left join ${CHAT_SCHEMA}.members m on m.session_id = s.id and m.user_id = ?
  where s.id = ? and (s.visibility = 'public' or m.user_id is not null)`;

interface VisibleRow extends SessionRow {
  m_session_id: string | null;
  m_user_id: string | null;
  m_role: MemberRow['role'] | null;
  m_joined_at: Date | null;
  m_read_seq: string | null;
}

function accessOf(row: VisibleRow): Access {
  const { m_session_id, m_user_id, m_role, m_joined_at, m_read_seq, ...session } = row;
  const member =
    m_session_id === null || m_user_id === null || m_role === null || m_joined_at === null || m_read_seq === null
      ? undefined
      : { session_id: m_session_id, user_id: m_user_id, role: m_role, joined_at: m_joined_at, read_seq: m_read_seq };
  return { session, member };
}

function notFound(sessionId: string): Error {
  return new ChatApiErrors.sessionNotFound(`no session ${sessionId}`);
}

/**
 * Who may see and change a session: anyone a public one, members a private one, which answers 404
 * to others exactly like a session that does not exist, so its existence does not leak. Every
 * route that names a session decides through this class.
 */
export class SessionAccess {
  readonly #db: Knex;
  readonly #members: MemberStore;

  constructor(db: Knex, members: MemberStore) {
    this.#db = db;
    this.#members = members;
  }

  async #visible(db: Knex | Knex.Transaction, callerId: string, sessionId: string, lock: boolean) {
    const result = await db.raw<{ rows: VisibleRow[] }>(`${VISIBLE}${lock ? ' for update of s' : ''}`, [
      callerId,
      sessionId,
    ]);
    const [row] = result.rows;
    return row === undefined ? undefined : accessOf(row);
  }

  /**
   * The session and the caller's membership, as they are now.
   * @throws SESSION_NOT_FOUND (404) for a session that does not exist or is private and not theirs.
   */
  async visible(callerId: string, sessionId: string): Promise<Access> {
    const access = await this.#visible(this.#db, callerId, sessionId, false);
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
   * The decision inside a change's transaction: the session's row locked until it ends (only when
   * the caller may see it), then the caller's membership read again, because the statement that
   * waited for the lock still saw the members of before the change that held it.
   * @throws SESSION_NOT_FOUND (404).
   */
  async lock(trx: Knex.Transaction, callerId: string, sessionId: string): Promise<Access> {
    const locked = await this.#visible(trx, callerId, sessionId, true);
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
  if (access.member === undefined) {
    throw new ChatApiErrors.notAMember(`you are not a member of session ${sessionId}`);
  }
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
