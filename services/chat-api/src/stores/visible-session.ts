import type { Knex } from '@warren/shared/db';
import { HISTORY_SCHEMA, MESSAGE_COLUMNS, type MessageRow } from '@warren/shared/history';
import type { MemberRow } from './member-store.ts';
import { CHAT_SCHEMA } from './migrations/index.ts';
import type { SessionRow } from './session-store.ts';

/** A session a caller may see, and their membership of it (none for a public one they are not in). */
export interface VisibleSession {
  readonly session: SessionRow;
  readonly member: MemberRow | undefined;
}

/** What both access queries below decide by, so they decide alike. */
const MEMBER_JOIN = `left join ${CHAT_SCHEMA}.members m on m.session_id = s.id and m.user_id = ?`;
const VISIBLE_WHERE = `where s.id = ? and (s.visibility = 'public' or m.user_id is not null)`;

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
  ${MEMBER_JOIN}
  ${VISIBLE_WHERE}`;

/**
 * The access query as posting asks it: only what decides (the session's visibility, whether the
 * caller is a member) and, in the same round trip, the stored message of a given id (in any
 * session), which posting checks a client's message id against. The same single round trip
 * answering no row for a missing session and a private one the caller is not in. Bindings: the
 * caller's id, the message id (null for none), the session id.
 */
const POSTING_ACCESS = `select m.user_id is not null as is_member,
    ${MESSAGE_COLUMNS.map((column) => `h.${column} as h_${column}`).join(', ')}
  from ${CHAT_SCHEMA}.sessions s ${MEMBER_JOIN}
  left join ${HISTORY_SCHEMA}.messages h on h.id = ?
  ${VISIBLE_WHERE}`;

interface VisibleRow extends SessionRow {
  m_session_id: string | null;
  m_user_id: string | null;
  m_role: MemberRow['role'] | null;
  m_joined_at: Date | null;
  m_read_seq: string | null;
}

/** A session a caller may post to if a member, and the stored message of the client's id. */
export interface PostingAccess {
  readonly isMember: boolean;
  readonly stored: MessageRow | undefined;
}

interface PostingAccessRow {
  is_member: boolean;
  h_seq: string | null;
  h_id: string | null;
  h_session_id: string | null;
  h_author_kind: MessageRow['author_kind'] | null;
  h_author_id: string | null;
  h_author_name: string | null;
  h_type: string | null;
  h_content: string | null;
  h_extra: MessageRow['extra'];
  h_created_at: Date | null;
  h_reply_to: string | null;
  h_edited_at: Date | null;
  h_deleted_at: Date | null;
}

function postingAccessOf(row: PostingAccessRow): PostingAccess {
  const { is_member: isMember, h_seq, h_id, h_session_id, h_author_kind, h_author_id, h_author_name } = row;
  const { h_type, h_content, h_extra, h_created_at, h_reply_to, h_edited_at, h_deleted_at } = row;
  if (
    h_seq === null ||
    h_id === null ||
    h_session_id === null ||
    h_author_kind === null ||
    h_type === null ||
    h_content === null ||
    h_created_at === null
  ) {
    return { isMember, stored: undefined };
  }
  const stored: MessageRow = {
    seq: h_seq,
    id: h_id,
    session_id: h_session_id,
    author_kind: h_author_kind,
    author_id: h_author_id,
    author_name: h_author_name,
    type: h_type,
    content: h_content,
    extra: h_extra,
    created_at: h_created_at,
    reply_to: h_reply_to,
    edited_at: h_edited_at,
    deleted_at: h_deleted_at,
  };
  return { isMember, stored };
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

  /**
   * For posting: whether the caller may see the session and is a member, with the stored message of
   * this id (any session) in the same round trip; `undefined` when the caller may not see it.
   */
  async findForPosting(
    callerId: string,
    sessionId: string,
    messageId: string | undefined,
  ): Promise<PostingAccess | undefined> {
    const result = await this.#db.raw<{ rows: PostingAccessRow[] }>(POSTING_ACCESS, [
      callerId,
      messageId ?? null,
      sessionId,
    ]);
    const [row] = result.rows;
    return row === undefined ? undefined : postingAccessOf(row);
  }

  /** The same, inside a transaction, the session's row locked until it ends (only when found). */
  lock(trx: Knex.Transaction, callerId: string, sessionId: string): Promise<VisibleSession | undefined> {
    return this.#find(trx, callerId, sessionId, true);
  }
}
