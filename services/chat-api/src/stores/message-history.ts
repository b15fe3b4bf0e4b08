import type { Knex } from '@warren/shared/db';
import type { ChatMessage } from '@warren/shared/envelope';
import {
  deleteSessionHistory,
  HISTORY_SCHEMA,
  MESSAGE_COLUMNS,
  type MessageRow,
  messageOf,
} from '@warren/shared/history';

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

  #messages() {
    return this.#db.withSchema(HISTORY_SCHEMA).table<MessageRow>('messages');
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

  /** Deletes a deleted session's history, inside its transaction. */
  async deleteSession(trx: Knex.Transaction, sessionId: string): Promise<void> {
    await deleteSessionHistory(trx, sessionId);
  }
}
