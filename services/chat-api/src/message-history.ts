import { HISTORY_SCHEMA } from '@warren/persister';
import type { ChatMessage, Knex } from '@warren/shared';

/** A row of `history.messages` (the persister's table; chat-api only reads it). */
export interface MessageRow {
  /** bigint, as pg returns it: a decimal string. */
  seq: string;
  id: string;
  session_id: string;
  author_kind: 'user' | 'bot' | 'system';
  author_id: string | null;
  author_name: string | null;
  type: string;
  content: string;
  extra: Record<string, unknown> | null;
  created_at: Date;
}

/** The columns of a message, for queries that select them. */
const MESSAGE_COLUMNS = [
  'seq',
  'id',
  'session_id',
  'author_kind',
  'author_id',
  'author_name',
  'type',
  'content',
  'extra',
  'created_at',
] as const;

/** The `Message` of HTTP.md for a stored row. */
export function messageOf(row: MessageRow): ChatMessage {
  const author =
    row.author_kind === 'user'
      ? { kind: 'user' as const, id: row.author_id ?? '', username: row.author_name ?? '' }
      : row.author_kind === 'bot'
        ? { kind: 'bot' as const, name: row.author_name ?? '' }
        : null;
  return {
    id: row.id,
    session_id: row.session_id,
    author,
    type: row.type,
    content: row.content,
    extra: row.extra,
    created_at: row.created_at.toISOString(),
  };
}

/** A page of history. */
export interface HistoryPage {
  readonly messages: ChatMessage[];
  readonly has_more: boolean;
}

/**
 * Reads stored messages. The persister writes them; `seq` (the order they were stored in) orders
 * history and read markers, since message ids made by third parties are not time-ordered.
 */
export class MessageHistory {
  readonly #db: Knex;

  constructor(db: Knex) {
    this.#db = db;
  }

  #messages(db: Knex | Knex.Transaction = this.#db) {
    return db.withSchema(HISTORY_SCHEMA).table<MessageRow>('messages');
  }

  /** The stored message with this id, in any session. */
  async find(id: string): Promise<MessageRow | undefined> {
    return this.#messages().select(MESSAGE_COLUMNS).where({ id }).first();
  }

  /** The `seq` of a message of this session, or undefined when the session holds no such message. */
  async seqOf(sessionId: string, id: string): Promise<string | undefined> {
    const row = await this.#messages().select('seq').where({ id, session_id: sessionId }).first();
    return row?.seq;
  }

  /**
   * A page of a session's history: newest first before a message (or from the newest), oldest first
   * after one. The cursor is a `seq` from {@link seqOf}.
   */
  async page(sessionId: string, cursor: { before?: string; after?: string }, limit: number): Promise<HistoryPage> {
    const query = this.#messages()
      .select(MESSAGE_COLUMNS)
      .where({ session_id: sessionId })
      .limit(limit + 1);
    if (cursor.after !== undefined) query.where('seq', '>', cursor.after).orderBy('seq', 'asc');
    else {
      if (cursor.before !== undefined) query.where('seq', '<', cursor.before);
      query.orderBy('seq', 'desc');
    }
    const rows = await query;
    return { messages: rows.slice(0, limit).map(messageOf), has_more: rows.length > limit };
  }

  /** Deletes a deleted session's messages, inside its transaction. */
  async deleteSession(trx: Knex.Transaction, sessionId: string): Promise<void> {
    await this.#messages(trx).where({ session_id: sessionId }).delete();
  }
}
