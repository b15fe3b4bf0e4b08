import { setTimeout as delay } from 'node:timers/promises';
import type { Knex } from '@warren/shared/db';
import type { ChatMessage } from '@warren/shared/envelope';
import { deleteSessionHistory, HISTORY_SCHEMA, MESSAGE_COLUMNS, type MessageRow } from '@warren/shared/history';

/** A page of history. */
export interface HistoryPage {
  readonly messages: ChatMessage[];
  readonly has_more: boolean;
}

/** A page of stored rows, before their details are read (`MessageDetailsStore`). */
export interface RowPage {
  readonly rows: MessageRow[];
  readonly has_more: boolean;
}

/** The distinct emoji present on a message, as far as history holds them. */
export interface EmojiCount {
  /** Distinct emoji someone reacted with and did not take back. */
  readonly distinct: number;
  /** Whether the emoji asked about is among them. */
  readonly present: boolean;
}

/** The first pause between lookups of a message not stored yet; each next one doubles, up to the last. */
const FIRST_PAUSE_MS = 10;
const LONGEST_PAUSE_MS = 250;

/**
 * Reads stored messages. The persister writes them; `seq` (the order they were stored in) orders
 * history and read markers, since message ids made by third parties are not time-ordered.
 */
export class MessageHistory {
  readonly #db: Knex;
  readonly #storeWaitMs: number;

  /**
   * @param storeWaitMs how long {@link MessageHistory.awaitStored} waits for a message not stored
   * yet. @defaultValue 2000
   */
  constructor(db: Knex, storeWaitMs = 2000) {
    this.#db = db;
    this.#storeWaitMs = storeWaitMs;
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
   * A message of this session, waited for when it is not stored yet: clients see messages live,
   * before the persister stores them, and act on them at once (mark read, reply, edit, react). The
   * indexed lookup is made again after pauses that grow from {@link FIRST_PAUSE_MS}, the last at the
   * bound (`storeWaitMs`): a message stored a few milliseconds late costs one or two more lookups,
   * one never stored about a dozen. No database connection is held between lookups.
   * @returns undefined when the session holds no such message by then.
   */
  async awaitStored(sessionId: string, id: string): Promise<MessageRow | undefined> {
    const deadline = performance.now() + this.#storeWaitMs;
    for (let pause = FIRST_PAUSE_MS; ; pause = Math.min(pause * 2, LONGEST_PAUSE_MS)) {
      const row = await this.find(sessionId, id);
      const left = deadline - performance.now();
      if (row !== undefined || left <= 0) return row;
      await delay(Math.min(pause, left));
    }
  }

  /** A stored message of this session (a tombstone too), or undefined when the session holds none of this id. */
  async find(sessionId: string, id: string): Promise<MessageRow | undefined> {
    return this.#messages().select(MESSAGE_COLUMNS).where({ id, session_id: sessionId }).first();
  }

  /**
   * A page of a thread's replies, oldest (lowest `seq`) first, after a `seq` when given: the
   * `messages_thread` index's range. The session is asked too, though a root's replies are all of
   * its session, so no row of another session can ever be answered.
   */
  async replies(sessionId: string, rootId: string, afterSeq: string | undefined, limit: number): Promise<RowPage> {
    const query = this.#messages()
      .select(MESSAGE_COLUMNS)
      .where({ reply_to: rootId, session_id: sessionId })
      .orderBy('seq', 'asc')
      .limit(limit + 1);
    if (afterSeq !== undefined) query.where('seq', '>', afterSeq);
    const rows = await query;
    return { rows: rows.slice(0, limit), has_more: rows.length > limit };
  }

  /** How many distinct emoji a message has, and whether `emoji` is one: one range of `reactions`' key. */
  async emojiCount(messageId: string, emoji: string): Promise<EmojiCount> {
    const { rows } = await this.#db.raw<{ rows: EmojiCount[] }>(
      `select count(distinct emoji) filter (where present)::int as "distinct",
         coalesce(bool_or(present and emoji = ?), false) as present
       from ${HISTORY_SCHEMA}.reactions where message_id = ?`,
      [emoji, messageId],
    );
    return rows[0] ?? { distinct: 0, present: false };
  }

  /**
   * A page of a session's history: newest first before a message (or from the newest), oldest first
   * after one. The cursor is a `seq` from {@link seqOf}.
   */
  async page(sessionId: string, cursor: { before?: string; after?: string }, limit: number): Promise<RowPage> {
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
    return { rows: rows.slice(0, limit), has_more: rows.length > limit };
  }

  /** Deletes a deleted session's history, inside its transaction. */
  async deleteSession(trx: Knex.Transaction, sessionId: string): Promise<void> {
    await deleteSessionHistory(trx, sessionId);
  }
}
