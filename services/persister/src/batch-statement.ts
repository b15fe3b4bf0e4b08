import { databaseSchemas } from '@warren/shared/db';
import type { ChatMessage } from '@warren/shared/envelope';
import { HISTORY_SCHEMA, messageRowOf } from '@warren/shared/history';

/** Who and where a stored message is, to tell a redelivery from an id collision. */
export interface StoredOrigin {
  id: string;
  session_id: string;
  author_kind: string;
  author_id: string | null;
  author_name: string | null;
}

/** What {@link BATCH_STATEMENT} answers (its one row's one column, as JSON). */
export interface BatchStatementResult {
  /** The batch's sessions that exist (locked for the statement), in id order. */
  readonly known: readonly string[];
  /** `[seq, id]` of every row inserted, `seq` a bigint as a decimal string. */
  readonly inserted: readonly (readonly [string, string])[];
  /**
   * `[id, session_id, author_kind, author_id, author_name]` of the stored rows of the ids the insert
   * skipped, as the statement's snapshot sees them: a row another transaction committed while this
   * one waited for it is not there (the caller reads it afterwards).
   */
  readonly stored: readonly (readonly [string, string, string, string | null, string | null])[];
}

/**
 * A whole batch in one statement, so in one round trip and, run outside a transaction block, in one
 * implicit transaction that commits when the statement ends: what `MessageStore` does in steps,
 * with the same locks and the same writes.
 *
 * - `locked` locks the batch's sessions that exist (`for update`, in id order). It is read only
 *   through `array(select id from locked)`, an init plan that runs to its end before the insert's
 *   first row is produced, so every lock is held before any `seq` is taken: a session's messages
 *   get their `seq` in commit order even with several persisters.
 * - `inserted` inserts the rows of those sessions in batch order (`ord`), skipping ids stored
 *   already (`on conflict (id) do nothing`; of one id twice in the batch the first is stored).
 * - `activity` records, per session that got new rows, `last_message_id` (its highest new `seq`),
 *   `bumped_at` (the latest of itself and its newest new `created_at`, that taken at most as
 *   `now()`) and `stored_messages` + the count of new rows.
 * - `skipped` and the `stored` part read back the stored rows of ids the insert skipped (no read at
 *   all when nothing was skipped): the statement's snapshot does not see its own inserts, so what it
 *   finds was stored before it.
 *
 * Parameters: `$1` the rows as a JSON array of objects (one parameter whatever the batch size),
 * `$2` the batch's session ids (`uuid[]`).
 */
export const BATCH_STATEMENT = `
with input as materialized (
  select * from rows from (
    json_to_recordset($1::json) as (
      id uuid, session_id uuid, author_kind text, author_id uuid, author_name text,
      type text, content text, extra jsonb, created_at timestamptz)
  ) with ordinality as t(id, session_id, author_kind, author_id, author_name, type, content, extra, created_at, ord)
),
locked as materialized (
  select id from ${databaseSchemas.chat}.sessions where id = any($2::uuid[]) order by id for update
),
inserted as (
  insert into ${HISTORY_SCHEMA}.messages
         (id, session_id, author_kind, author_id, author_name, type, content, extra, created_at)
  select id, session_id, author_kind, author_id, author_name, type, content, extra, created_at
    from input
   where session_id = any (array(select id from locked))
   order by ord
  on conflict (id) do nothing
  returning seq, id, session_id, created_at
),
activity as (
  insert into ${HISTORY_SCHEMA}.session_activity as a (session_id, last_message_id, bumped_at, stored_messages)
  select distinct on (session_id) session_id, id, least(max(created_at) over w, now()), count(*) over w
    from inserted
  window w as (partition by session_id)
   order by session_id, seq desc
  on conflict (session_id) do update
     set last_message_id = excluded.last_message_id,
         bumped_at = greatest(a.bumped_at, excluded.bumped_at),
         stored_messages = a.stored_messages + excluded.stored_messages
),
skipped as (
  select id from input where session_id = any (array(select id from locked))
  except
  select id from inserted
)
select json_build_object(
  'known', array(select id from locked),
  'inserted', array(select json_build_array(seq::text, id) from inserted),
  'stored', array(
    select json_build_array(m.id, m.session_id, m.author_kind, m.author_id, m.author_name)
      from ${HISTORY_SCHEMA}.messages m join skipped using (id))
) as result`;

/** The parameters of {@link BATCH_STATEMENT} for a batch. */
export function batchParameters(messages: readonly ChatMessage[]): [string, string[]] {
  return [JSON.stringify(messages.map(messageRowOf)), [...new Set(messages.map((message) => message.session_id))]];
}
