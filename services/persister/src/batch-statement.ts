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
  /**
   * Positions (1-based, in batch order) of replies in known sessions whose `reply_to` names no
   * message of their session, stored or earlier in the batch: not inserted.
   */
  readonly orphans: readonly number[];
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
 * The common table expressions of {@link BATCH_STATEMENT}, for statements that do more in the same
 * implicit transaction (`BATCH_WITH_CHANGES_STATEMENT`). `$1` and `$2` are its parameters.
 */
export const MESSAGE_CTES = `
given as materialized (
  select * from rows from (
    json_to_recordset($1::json) as (
      id uuid, session_id uuid, author_kind text, author_id uuid, author_name text,
      type text, content text, extra jsonb, created_at timestamptz, reply_to uuid)
  ) with ordinality as t(id, session_id, author_kind, author_id, author_name, type, content, extra, created_at, reply_to, ord)
),
input as materialized (
  select g.id, g.session_id, g.author_kind, g.author_id, g.author_name, g.type, g.content, g.extra, g.created_at, g.ord,
         g.reply_to is not null as is_reply,
         case when g.reply_to is not null then coalesce(
           m.reply_to, m.id,
           case when b.reply_to is null then b.id else coalesce(bm.reply_to, bm.id, c.id) end
         ) end as root
    from given g
    left join lateral (
      select m.id, m.reply_to from ${HISTORY_SCHEMA}.messages m
       where g.reply_to is not null and m.id = g.reply_to and m.session_id = g.session_id limit 1
    ) m on true
    left join lateral (
      select b.id, b.reply_to, b.ord from given b
       where g.reply_to is not null and m.id is null
         and b.id = g.reply_to and b.session_id = g.session_id and b.ord < g.ord order by b.ord limit 1
    ) b on true
    left join lateral (
      select bm.id, bm.reply_to from ${HISTORY_SCHEMA}.messages bm
       where b.reply_to is not null and bm.id = b.reply_to and bm.session_id = g.session_id limit 1
    ) bm on true
    left join lateral (
      select c.id from given c
       where b.reply_to is not null and bm.id is null
         and c.id = b.reply_to and c.session_id = g.session_id and c.reply_to is null and c.ord < b.ord limit 1
    ) c on true
),
locked as materialized (
  select id from ${databaseSchemas.chat}.sessions where id = any($2::uuid[]) order by id for update
),
inserted as (
  insert into ${HISTORY_SCHEMA}.messages
         (id, session_id, author_kind, author_id, author_name, type, content, extra, created_at, reply_to)
  select id, session_id, author_kind, author_id, author_name, type, content, extra, created_at, root
    from input
   where session_id = any (array(select id from locked)) and (root is not null or not is_reply)
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
  select id from input where session_id = any (array(select id from locked)) and (root is not null or not is_reply)
  except
  select id from inserted
)`;

/** What {@link BATCH_STATEMENT} answers, as one SQL expression over {@link MESSAGE_CTES}. */
export const MESSAGE_RESULT = `json_build_object(
  'known', array(select id from locked),
  'orphans', array(
    select ord::int from input
     where is_reply and root is null and session_id = any (array(select id from locked))),
  'inserted', array(select json_build_array(seq::text, id) from inserted),
  'stored', array(
    select json_build_array(m.id, m.session_id, m.author_kind, m.author_id, m.author_name)
      from ${HISTORY_SCHEMA}.messages m join skipped using (id))
)`;

/**
 * A whole batch in one statement, so in one round trip and, run outside a transaction block, in one
 * implicit transaction that commits when the statement ends: what `MessageStore` does in steps,
 * with the same locks and the same writes.
 *
 * - `input` resolves each reply's thread root: the message `reply_to` names, stored or earlier in the
 *   batch, in the same session; its own `reply_to` when it is a reply itself (a reply to a reply
 *   belongs to the root). A reply whose target is found nowhere has no root and is not inserted
 *   (`orphans`, dead-lettered `unknown_reply_to`). Every lookup is a lateral subquery with `limit 1`,
 *   so it stays a lookup by key for each reply (a join here was planned as a hash join reading all
 *   of `history.messages` when the plan was made on a small table, and kept for the connection);
 *   its conditions on the outer row alone become one-time filters, so a message that is no reply
 *   costs no lookup at all (and no scan of the batch, which made a batch of 200 cost 200 × 200 row
 *   comparisons).
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
with ${MESSAGE_CTES}
select ${MESSAGE_RESULT} as result`;

/** The parameters of {@link BATCH_STATEMENT} for a batch. */
export function batchParameters(messages: readonly ChatMessage[]): [string, string[]] {
  return [JSON.stringify(messages.map(messageRowOf)), [...new Set(messages.map((message) => message.session_id))]];
}
