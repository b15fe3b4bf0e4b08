import type { MessageChange } from '@warren/shared/envelope';
import { HISTORY_SCHEMA } from '@warren/shared/history';
import { limits } from '@warren/shared/limits';

/** What {@link CHANGE_STATEMENT} answers (its one row's one column, as JSON). */
export interface ChangeStatementResult {
  /** Ids of the changes whose message is not stored in their session: nothing applied. */
  readonly unknown: readonly string[];
  /** Ids of reactions that would give their message more distinct emoji than the limit: not applied. */
  readonly over_limit: readonly string[];
  /** Messages deleted, edited and reactions written by this statement (superseded and repeated changes write nothing). */
  readonly written: number;
}

/**
 * A batch of message changes in one statement (one round trip, one implicit transaction). Applying
 * them commutes: each kind keeps, per message (or per message, user and emoji), the change with the
 * greatest id, and writes it only over an older one, so the outcome is that of applying the changes
 * in the order of their ids (publish order: chat-api makes them with `newChangeId`), whatever order
 * and however often they arrive.
 *
 * - `target` locks the changed messages (`for update`, in id order so concurrent persisters cannot
 *   deadlock): two persisters applying reactions to one message take turns, so the emoji limit holds.
 * - `known`: the changes whose message is stored in the session they came through; the rest is
 *   `unknown` (dead-lettered `unknown_message`).
 * - a delete wins over everything: it sets `deleted_at` (once), blanks `content` and `extra`, and
 *   drops the message's reactions; edits and reactions of a message deleted before or in this batch
 *   change nothing.
 * - an edit is written when its id is greater than the message's `edit_id`.
 * - a reaction upserts its row (`present` true for added, false for removed) when its id is greater
 *   than the row's `change_id`. An emoji new to its message is refused (`over_limit`) when the
 *   message would then have more than `limits.reactionsPerMessage` distinct emoji.
 *
 * Parameter: `$1` the changes as a JSON array of {@link ChangeRow}.
 */
export const CHANGE_STATEMENT = `
with input as materialized (
  select * from json_to_recordset($1::json) as (
    id uuid, kind text, session_id uuid, message_id uuid, content text, at timestamptz,
    emoji text, user_id uuid, username text, present boolean)
),
target as materialized (
  select m.id, m.session_id, m.deleted_at from ${HISTORY_SCHEMA}.messages m
   where m.id in (select message_id from input)
   order by m.id
     for update
),
known as materialized (
  select i.*, t.deleted_at as was_deleted_at
    from input i join target t on t.id = i.message_id and t.session_id = i.session_id
),
deletes as materialized (
  select distinct on (message_id) message_id, at from known where kind = 'delete' order by message_id, id
),
deleted as (
  update ${HISTORY_SCHEMA}.messages m set deleted_at = d.at, content = '', extra = '{}'::jsonb
    from deletes d
   where m.id = d.message_id and m.deleted_at is null
  returning m.id
),
unreacted as (
  delete from ${HISTORY_SCHEMA}.reactions r using deletes d where r.message_id = d.message_id
  returning 1
),
edits as (
  select distinct on (message_id) message_id, id, content, at from known
   where kind = 'edit' and was_deleted_at is null and message_id not in (select message_id from deletes)
   order by message_id, id desc
),
edited as (
  update ${HISTORY_SCHEMA}.messages m set content = e.content, edited_at = e.at, edit_id = e.id
    from edits e
   where m.id = e.message_id and (m.edit_id is null or m.edit_id < e.id)
  returning m.id
),
reacts as materialized (
  select distinct on (message_id, user_id, emoji) message_id, user_id, emoji, username, present, id from known
   where kind = 'reaction' and was_deleted_at is null and message_id not in (select message_id from deletes)
   order by message_id, user_id, emoji, id desc
),
existing as (
  select message_id, array_agg(emoji) as emoji, count(*) as n from (
    select distinct r.message_id, r.emoji from ${HISTORY_SCHEMA}.reactions r
     where r.present and r.message_id in (select message_id from reacts)
  ) e group by message_id
),
ranked as materialized (
  select r.*, case
           when r.present and not (r.emoji = any (coalesce(e.emoji, '{}'))) then
             coalesce(e.n, 0) + dense_rank() over (
               partition by r.message_id, r.present and not (r.emoji = any (coalesce(e.emoji, '{}')))
               order by r.emoji)
           else 0 end as emoji_after
    from reacts r left join existing e using (message_id)
),
reacted as (
  insert into ${HISTORY_SCHEMA}.reactions as r (message_id, user_id, emoji, username, present, change_id)
  select message_id, user_id, emoji, username, present, id from ranked
   where emoji_after <= ${limits.reactionsPerMessage}
  on conflict (message_id, user_id, emoji) do update
     set present = excluded.present, username = excluded.username, change_id = excluded.change_id
   where r.change_id < excluded.change_id
  returning 1
)
select json_build_object(
  'unknown', array(select id from input except select id from known),
  'over_limit', array(select id from ranked where emoji_after > ${limits.reactionsPerMessage}),
  'written', (select count(*) from deleted) + (select count(*) from edited) + (select count(*) from reacted)
) as result`;

/** One change as {@link CHANGE_STATEMENT} reads it. */
interface ChangeRow {
  id: string;
  kind: MessageChange['kind'];
  session_id: string;
  message_id: string;
  content: string | null;
  at: string | null;
  emoji: string | null;
  user_id: string | null;
  username: string | null;
  present: boolean | null;
}

function changeRowOf(change: MessageChange): ChangeRow {
  return {
    id: change.id,
    kind: change.kind,
    session_id: change.sessionId,
    message_id: change.messageId,
    content: change.kind === 'edit' ? change.content : null,
    at: change.kind === 'reaction' ? null : change.at,
    emoji: change.kind === 'reaction' ? change.emoji : null,
    user_id: change.kind === 'reaction' ? change.user.id : null,
    username: change.kind === 'reaction' ? change.user.username : null,
    present: change.kind === 'reaction' ? change.present : null,
  };
}

/** The parameters of {@link CHANGE_STATEMENT} for a batch of changes. */
export function changeParameters(changes: readonly MessageChange[]): [string] {
  return [JSON.stringify(changes.map(changeRowOf))];
}
