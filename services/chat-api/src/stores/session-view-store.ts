import type { Knex } from '@warren/shared/db';
import type { ChatMessage } from '@warren/shared/envelope';
import { type AuthorKind, HISTORY_SCHEMA, type MessageRow } from '@warren/shared/history';
import { escapeLike } from './like-pattern.ts';
import type { MessageDetailsStore } from './message-details-store.ts';
import { CHAT_SCHEMA } from './migrations/index.ts';
import type { SessionRow } from './session-store.ts';

/** The `Session` of HTTP.md, as one caller sees it. */
export interface SessionView {
  id: string;
  kind: SessionRow['kind'];
  name: string | null;
  visibility: SessionRow['visibility'];
  owner_id: string | null;
  created_at: string;
  bumped_at: string;
  version: number;
  member_count: number;
  last_message: ChatMessage | null;
  unread_count: number;
}

/** Most public sessions a search returns. */
export const SEARCH_LIMIT = 50;

interface ViewRow extends Omit<SessionRow, 'direct_key'> {
  member_count: number;
  is_member: boolean;
  unread_count: number;
  /** A direct session's other member, from the caller's point of view. */
  peer_name: string | null;
  lm_seq: string | null;
  lm_id: string | null;
  lm_author_kind: AuthorKind | null;
  lm_author_id: string | null;
  lm_author_name: string | null;
  lm_type: string | null;
  lm_content: string | null;
  lm_extra: Record<string, unknown> | null;
  lm_created_at: Date | null;
  lm_reply_to: string | null;
  lm_edited_at: Date | null;
  lm_deleted_at: Date | null;
}

/** A session's `bumped_at`: `greatest` skips the null of a session no message was stored for. */
const BUMPED_AT = 'greatest(s.bumped_at, a.bumped_at)';

/**
 * Sessions as a caller sees them: chat-api's row with what storing messages did to it (the
 * persister's `history.session_activity`): `version` is the session's own plus the messages stored,
 * `bumped_at` the greater of both, `last_message` the one stored last. `unread_count` counts the
 * messages after the caller's read marker that others wrote; a direct session is named after the
 * other member, found through its direct key so the name stays when that member has left. Messages are for members: to a caller who is not in
 * the session (a public one found by search or opened by id) `last_message` is null and
 * `unread_count` 0, as history refuses them.
 * Bindings: the caller's id, three times.
 */
const SELECT_VIEW = `
  select s.id, s.kind, s.name, s.visibility, s.owner_id, s.created_at,
    ${BUMPED_AT} as bumped_at, s.version + coalesce(a.stored_messages, 0) as version,
    (select count(*) from ${CHAT_SCHEMA}.members c where c.session_id = s.id)::int as member_count,
    m.user_id is not null as is_member,
    case when m.user_id is null then 0 else (
      select count(*) from ${HISTORY_SCHEMA}.messages h
      where h.session_id = s.id and h.seq > m.read_seq
        and not (h.author_kind = 'user' and h.author_id is not distinct from ?::uuid)
    )::int end as unread_count,
    case when s.kind = 'direct' then (
      select u.username from ${CHAT_SCHEMA}.users u
      where u.id::text = case when split_part(s.direct_key, ':', 1) = ?::text
        then split_part(s.direct_key, ':', 2) else split_part(s.direct_key, ':', 1) end
    ) end as peer_name,
    lm.seq as lm_seq, lm.id as lm_id, lm.author_kind as lm_author_kind, lm.author_id as lm_author_id,
    lm.author_name as lm_author_name, lm.type as lm_type, lm.content as lm_content, lm.extra as lm_extra,
    lm.created_at as lm_created_at, lm.reply_to as lm_reply_to, lm.edited_at as lm_edited_at,
    lm.deleted_at as lm_deleted_at
  from ${CHAT_SCHEMA}.sessions s
  left join ${CHAT_SCHEMA}.members m on m.session_id = s.id and m.user_id = ?
  left join ${HISTORY_SCHEMA}.session_activity a on a.session_id = s.id
  left join ${HISTORY_SCHEMA}.messages lm on lm.id = a.last_message_id and m.user_id is not null`;

/** The row of a view's last message, when it shows one. */
function lastMessageRowOf(row: ViewRow): MessageRow | undefined {
  if (row.lm_id === null) return undefined;
  return {
    seq: row.lm_seq ?? '0',
    id: row.lm_id,
    session_id: row.id,
    author_kind: row.lm_author_kind ?? 'system',
    author_id: row.lm_author_id,
    author_name: row.lm_author_name,
    type: row.lm_type ?? '',
    content: row.lm_content ?? '',
    extra: row.lm_extra,
    created_at: row.lm_created_at ?? row.bumped_at,
    reply_to: row.lm_reply_to,
    edited_at: row.lm_edited_at,
    deleted_at: row.lm_deleted_at,
  };
}

function viewOf(row: ViewRow, lastMessage: ChatMessage | null): SessionView {
  return {
    id: row.id,
    kind: row.kind,
    name: row.kind === 'direct' ? row.peer_name : row.name,
    visibility: row.visibility,
    owner_id: row.owner_id,
    created_at: row.created_at.toISOString(),
    bumped_at: row.bumped_at.toISOString(),
    version: Number(row.version),
    member_count: row.member_count,
    last_message: lastMessage,
    unread_count: row.unread_count,
  };
}

/** The SQL of the read side of sessions (`SessionViews`). */
export class SessionViewStore {
  readonly #db: Knex;
  readonly #details: MessageDetailsStore;

  /** `details` adds reply counts and reactions to the last messages, for a whole list at once. */
  constructor(db: Knex, details: MessageDetailsStore) {
    this.#db = db;
    this.#details = details;
  }

  /** The views of rows, their last messages' details read in one go. */
  async #viewsOf(callerId: string, rows: readonly ViewRow[]): Promise<SessionView[]> {
    const lastRows = rows.map(lastMessageRowOf);
    const messages = await this.#details.messagesOf(
      lastRows.filter((last) => last !== undefined),
      callerId,
    );
    const byId = new Map(messages.map((message) => [message.id, message]));
    return rows.map((row, i) => viewOf(row, byId.get(lastRows[i]?.id ?? '') ?? null));
  }

  async #query(callerId: string, rest: string, bindings: readonly Knex.Value[]): Promise<ViewRow[]> {
    const result = await this.#db.raw<{ rows: ViewRow[] }>(`${SELECT_VIEW} ${rest}`, [
      callerId,
      callerId,
      callerId,
      ...bindings,
    ]);
    return result.rows;
  }

  /** The caller's sessions, most recently bumped first. */
  async listOf(callerId: string): Promise<SessionView[]> {
    const rows = await this.#query(callerId, `where m.user_id is not null order by ${BUMPED_AT} desc, s.id`, []);
    return this.#viewsOf(callerId, rows);
  }

  /** One session as the caller sees it, whether or not they are a member; undefined when there is none. */
  async find(callerId: string, sessionId: string): Promise<SessionView | undefined> {
    const rows = await this.#query(callerId, 'where s.id = ?', [sessionId]);
    const [view] = await this.#viewsOf(callerId, rows);
    return view;
  }

  /**
   * Public sessions whose name contains `text` (case-insensitive, wildcards taken literally), by
   * name, at most {@link SEARCH_LIMIT}, each saying whether the caller is a member (and showing
   * its last message only then).
   */
  async searchPublic(callerId: string, text: string): Promise<(SessionView & { is_member: boolean })[]> {
    const rows = await this.#query(
      callerId,
      `where s.visibility = 'public' and lower(s.name) like ? escape '\\'
       order by lower(s.name), s.name, s.id limit ?`,
      [`%${escapeLike(text.toLowerCase())}%`, SEARCH_LIMIT],
    );
    const views = await this.#viewsOf(callerId, rows);
    return views.map((view, i) => ({ ...view, is_member: rows[i]?.is_member ?? false }));
  }
}
