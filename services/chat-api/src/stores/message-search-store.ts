import type { Knex } from '@warren/shared/db';
import {
  HISTORY_SCHEMA,
  MESSAGE_COLUMNS,
  MESSAGE_SEARCH_REGCONFIG,
  MESSAGE_SEARCH_VECTOR,
  type MessageRow,
} from '@warren/shared/history';
import type { RowPage } from './message-history.ts';
import { CHAT_SCHEMA } from './migrations/index.ts';

/** The sessions a user is a member of now: their rows in `chat.members`. Binding: the user's id. */
const MEMBER_SESSIONS = `select session_id from ${CHAT_SCHEMA}.members where user_id = ?`;

/** A search: the words, the caller, and optionally one session and a cursor (a `seq`). */
export interface MessageSearchRequest {
  readonly callerId: string;
  readonly words: string;
  readonly sessionId?: string | undefined;
  readonly beforeSeq?: string | undefined;
  readonly limit: number;
}

/**
 * Full-text search over stored messages, only ever those of sessions the caller is a member of at
 * the time of the query (the membership is joined in the same statement, so no cache can widen it).
 * Words are parsed by `websearch_to_tsquery` with the configuration the GIN index was built with,
 * and matched against the very expression indexed, so the index is usable.
 */
export class MessageSearchStore {
  readonly #db: Knex;

  constructor(db: Knex) {
    this.#db = db;
  }

  /** The `seq` of a message of a session the caller is a member of now, deleted or not; else undefined. */
  async seqOf(callerId: string, messageId: string): Promise<string | undefined> {
    const { rows } = await this.#db.raw<{ rows: { seq: string }[] }>(
      `select seq from ${HISTORY_SCHEMA}.messages where id = ? and session_id in (${MEMBER_SESSIONS})`,
      [messageId, callerId],
    );
    return rows[0]?.seq;
  }

  /** A page of matching messages' rows, newest (highest `seq`) first, not deleted. */
  async search(request: MessageSearchRequest): Promise<RowPage> {
    const { sql, bindings } = messageSearchQuery(request);
    const { rows } = await this.#db.raw<{ rows: MessageRow[] }>(sql, bindings);
    return { rows: rows.slice(0, request.limit), has_more: rows.length > request.limit };
  }
}

/**
 * The search statement and its bindings. The caller's sessions are an array (`= any(array(…))`,
 * computed once), not `in (select …)`: with the semi-join, PostgreSQL ran the GIN scan once per
 * session (80–260 ms over a million messages); with the array it ANDs one GIN bitmap with one
 * bitmap of the caller's sessions (20–30 ms; bench/scenarios/search.ts). Bindings are `?`
 * placeholders, as knex takes them; the limit is one more row than the page, to tell `has_more`.
 * Exported so the benchmark explains the very statement chat-api runs.
 */
export function messageSearchQuery(request: MessageSearchRequest): { sql: string; bindings: (string | number)[] } {
  const bindings: (string | number)[] = [request.callerId, request.words];
  let filters = '';
  if (request.sessionId !== undefined) {
    filters += ' and session_id = ?';
    bindings.push(request.sessionId);
  }
  if (request.beforeSeq !== undefined) {
    filters += ' and seq < ?';
    bindings.push(request.beforeSeq);
  }
  bindings.push(request.limit + 1);
  const sql = `select ${MESSAGE_COLUMNS.join(', ')}
     from ${HISTORY_SCHEMA}.messages
    where session_id = any(array(${MEMBER_SESSIONS}))
      and deleted_at is null
      and ${MESSAGE_SEARCH_VECTOR} @@ websearch_to_tsquery(${MESSAGE_SEARCH_REGCONFIG}, ?)
      ${filters}
    order by seq desc
    limit ?`;
  return { sql, bindings };
}
