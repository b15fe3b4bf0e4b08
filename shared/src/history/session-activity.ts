import type { Knex } from 'knex';
import { HISTORY_SCHEMA } from './history-schema.ts';

/**
 * A row of `history.session_activity`: what storing messages did to a session. The persister
 * writes it in the transaction that stores the messages; chat-api combines it with its own
 * `chat.sessions` row: the session's `version` is its own plus `stored_messages`, its `bumped_at`
 * the greater of both, its last message `last_message_id`. A session no message was stored for has
 * no row.
 */
export interface SessionActivityRow {
  session_id: string;
  /** The message stored last (highest `seq`). */
  last_message_id: string;
  /** The latest `created_at` of its messages, each taken at most as the time it was stored. */
  bumped_at: Date;
  /** Messages stored since this table was made: a bigint, as pg returns it, a decimal string. */
  stored_messages: string;
}

/**
 * Erases a session's history (its messages, their reactions and its activity), inside the transaction that deletes
 * the session: chat-api's one write to the `history` schema, since only it knows a session is gone.
 */
export async function deleteSessionHistory(trx: Knex.Transaction, sessionId: string): Promise<void> {
  await trx.raw('delete from ??.reactions where message_id in (select id from ??.messages where session_id = ?)', [
    HISTORY_SCHEMA,
    HISTORY_SCHEMA,
    sessionId,
  ]);
  await trx.withSchema(HISTORY_SCHEMA).from('messages').where({ session_id: sessionId }).delete();
  await trx.withSchema(HISTORY_SCHEMA).from('session_activity').where({ session_id: sessionId }).delete();
}
