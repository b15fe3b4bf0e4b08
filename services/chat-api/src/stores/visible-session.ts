import type { Knex } from '@warren/shared/db';
import type { MemberRow } from './member-store.ts';
import { CHAT_SCHEMA } from './migrations/index.ts';
import type { SessionRow } from './session-store.ts';

/** A session a caller may see, and their membership of it (none for a public one they are not in). */
export interface VisibleSession {
  readonly session: SessionRow;
  readonly member: MemberRow | undefined;
}

/**
 * The one access query: the session, with the caller's membership, only when it exists and is
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

function visibleOf(row: VisibleRow): VisibleSession {
  const { m_session_id, m_user_id, m_role, m_joined_at, m_read_seq, ...session } = row;
  const member =
    m_session_id === null || m_user_id === null || m_role === null || m_joined_at === null || m_read_seq === null
      ? undefined
      : { session_id: m_session_id, user_id: m_user_id, role: m_role, joined_at: m_joined_at, read_seq: m_read_seq };
  return { session, member };
}

/** Reads which sessions a caller may see, for `SessionAccess`, the one place that decides. */
export class VisibleSessions {
  readonly #db: Knex;

  constructor(db: Knex) {
    this.#db = db;
  }

  async #find(db: Knex | Knex.Transaction, callerId: string, sessionId: string, lock: boolean) {
    const result = await db.raw<{ rows: VisibleRow[] }>(`${VISIBLE}${lock ? ' for update of s' : ''}`, [
      callerId,
      sessionId,
    ]);
    const [row] = result.rows;
    return row === undefined ? undefined : visibleOf(row);
  }

  /** The session and the caller's membership as they are now, when the caller may see it. */
  find(callerId: string, sessionId: string): Promise<VisibleSession | undefined> {
    return this.#find(this.#db, callerId, sessionId, false);
  }

  /** The same, inside a transaction, the session's row locked until it ends (only when found). */
  lock(trx: Knex.Transaction, callerId: string, sessionId: string): Promise<VisibleSession | undefined> {
    return this.#find(trx, callerId, sessionId, true);
  }
}
