import type { Migration } from '../../db/migrations.ts';
import { limits } from '../../limits.ts';

/**
 * `apply_message_changes(changes json) returns json`: applies a batch of message changes (edits,
 * deletes, reactions), as the persister gives them, and answers what became of them. A function
 * rather than a statement of the persister's so the persister can call it in the statement that
 * stores a batch's messages: a volatile function's query takes a snapshot of its own, so it sees
 * the messages that statement inserted before calling it (a step of the statement itself could not),
 * and a batch of messages and their changes costs one round trip and one commit.
 *
 * `changes` is a JSON array of `{ id, kind ('edit' | 'delete' | 'reaction'), session_id,
 * message_id, content, at, emoji, user_id, username, present }`. The answer:
 * `{ unknown: [change ids whose message is not stored in their session], over_limit: [reaction ids
 * refused for the emoji limit], written: rows written }`.
 *
 * Applying commutes: each kind keeps, per message (or per message, user and emoji), the change with
 * the greatest id (chat-api makes them time-ordered), and writes it only over an older one, so the
 * outcome is that of applying them in the order of their ids whatever order and however often they
 * arrive.
 *
 * - `target` locks the changed messages (`for update`, one lookup by key each, in id order so
 *   concurrent persisters cannot deadlock): two persisters applying reactions to one message take
 *   turns, so the emoji limit holds. (A lookup per change, not a join: the function's plan is made
 *   once per connection, and a join planned on a small table reads all of it once it has grown.)
 * - `known`: the changes whose message is stored in the session they came through; the rest is
 *   `unknown` (dead-lettered `unknown_message`).
 * - a delete wins over everything: it sets `deleted_at` (once), blanks `content` and `extra`, and
 *   drops the message's reactions; edits and reactions of a message deleted before or in this batch
 *   change nothing.
 * - an edit is written when its id is greater than the message's `edit_id`.
 * - a reaction upserts its row (`present` true for added, false for removed) when its id is greater
 *   than the row's `change_id`. An emoji new to its message is refused (`over_limit`) when the
 *   message would then have more than `limits.reactionsPerMessage` distinct emoji (the limit as it
 *   is when the function is made).
 *
 * `create or replace`, so it may run again; a later change of the function is a migration of its own.
 */
export const applyMessageChangesMigration: Migration = {
  name: '005-apply-message-changes',
  async up(db, schema) {
    const s = quoteIdentifier(schema);
    await db.raw(`create or replace function ${s}.apply_message_changes(changes json) returns json
      language plpgsql volatile as $function$
    declare result json;
    begin
      with change_input as materialized (
        select * from json_to_recordset(changes) as (
          id uuid, kind text, session_id uuid, message_id uuid, content text, at timestamptz,
          emoji text, user_id uuid, username text, present boolean)
      ),
      target as materialized (
        select t.id, t.session_id, t.deleted_at
          from (select distinct message_id from change_input order by message_id) i
          cross join lateral (
            select m.id, m.session_id, m.deleted_at from ${s}.messages m where m.id = i.message_id for update
          ) t
      ),
      known as materialized (
        select i.*, t.deleted_at as was_deleted_at
          from change_input i join target t on t.id = i.message_id and t.session_id = i.session_id
      ),
      deletes as materialized (
        select distinct on (message_id) message_id, at from known where kind = 'delete' order by message_id, id
      ),
      deleted as (
        update ${s}.messages m set deleted_at = d.at, content = '', extra = '{}'::jsonb
          from deletes d
         where m.id = d.message_id and m.deleted_at is null
        returning m.id
      ),
      unreacted as (
        delete from ${s}.reactions r using deletes d where r.message_id = d.message_id
        returning 1
      ),
      edits as (
        select distinct on (message_id) message_id, id, content, at from known
         where kind = 'edit' and was_deleted_at is null and message_id not in (select message_id from deletes)
         order by message_id, id desc
      ),
      edited as (
        update ${s}.messages m set content = e.content, edited_at = e.at, edit_id = e.id
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
          select distinct r.message_id, r.emoji from ${s}.reactions r
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
        insert into ${s}.reactions as r (message_id, user_id, emoji, username, present, change_id)
        select message_id, user_id, emoji, username, present, id from ranked
         where emoji_after <= ${limits.reactionsPerMessage}
        on conflict (message_id, user_id, emoji) do update
           set present = excluded.present, username = excluded.username, change_id = excluded.change_id
         where r.change_id < excluded.change_id
        returning 1
      )
      select json_build_object(
        'unknown', array(select id from change_input except select id from known),
        'over_limit', array(select id from ranked where emoji_after > ${limits.reactionsPerMessage}),
        'written', (select count(*) from deleted) + (select count(*) from edited) + (select count(*) from reacted)
      ) into result;
      return result;
    end
    $function$`);
  },
  async down(db, schema) {
    await db.raw(`drop function if exists ${quoteIdentifier(schema)}.apply_message_changes(json)`);
  },
};

/** A schema name as an SQL identifier: the function's body is text, where bindings cannot reach. */
function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
