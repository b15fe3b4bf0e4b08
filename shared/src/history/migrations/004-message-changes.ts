import type { Migration } from '../../db/migrations.ts';

/**
 * What changes a stored message: threads, edits, deletes and reactions (AMQP.md's `message.*` and
 * `reaction.*` events, applied by the persister).
 *
 * - `messages.reply_to`: the root of the thread a reply is in (never a reply itself), null for a
 *   message that is no reply; `messages_thread` indexes a thread's replies in stored order, for the
 *   thread route and for counting replies.
 * - `messages.edited_at` and `edit_id`: the last edit applied and the id of its event. Events carry
 *   time-ordered ids (UUIDv7), so an edit is applied only when its id is greater than `edit_id`: a
 *   redelivered or late older edit changes nothing.
 * - `reactions`: one row per message, user and emoji, kept with `present` false once removed, so a
 *   late `reaction.added` older than the removal (`change_id` smaller) cannot bring it back. Its
 *   primary key reads a message's reactions in one index range.
 *
 * Every step may run again.
 */
export const messageChangesMigration: Migration = {
  name: '004-message-changes',
  async up(db, schema) {
    await db.raw(
      `alter table ??.messages
         add column if not exists reply_to uuid,
         add column if not exists edited_at timestamptz,
         add column if not exists edit_id uuid`,
      [schema],
    );
    await db.raw(
      'create index if not exists messages_thread on ??.messages (reply_to, seq) where reply_to is not null',
      [schema],
    );
    await db.raw(
      `create table if not exists ??.reactions (
         message_id uuid not null,
         user_id uuid not null,
         emoji text not null,
         username text not null,
         present boolean not null,
         change_id uuid not null,
         primary key (message_id, user_id, emoji))`,
      [schema],
    );
  },
  async down(db, schema) {
    await db.raw('drop table if exists ??.reactions', [schema]);
    await db.raw('drop index if exists ??.messages_thread', [schema]);
    await db.raw(
      `alter table ??.messages
         drop column if exists reply_to, drop column if exists edited_at, drop column if exists edit_id`,
      [schema],
    );
  },
};
