import type { Migration } from '../../db/migrations.ts';
import { databaseSchemas } from '../../db/schemas.ts';

/**
 * What storing messages does to a session, kept by the persister in its own schema instead of in
 * chat-api's `chat.sessions` (which it used to update): the newest stored message, the latest
 * `bumped_at` messages gave, and how many messages were stored. chat-api adds these to its own
 * columns when it shows a session.
 *
 * Existing deployments: `chat.sessions.last_message_id` and `bumped_at` are copied over (a session's
 * `bumped_at` is the greatest of both, so copying keeps it as it was). `stored_messages` starts at 0,
 * since `chat.sessions.version` already counts the messages stored before. Nothing is copied when
 * chat-api has not made its table yet (a new database the persister migrates first) or no longer has
 * the column.
 */
export const sessionActivityMigration: Migration = {
  name: '002-session-activity',
  async up(db, schema) {
    await db.schema.withSchema(schema).createTable('session_activity', (table) => {
      table.uuid('session_id').primary();
      table.uuid('last_message_id').notNullable();
      table.timestamp('bumped_at', { useTz: true }).notNullable();
      table.bigInteger('stored_messages').notNullable().defaultTo(0);
    });
    const chat = databaseSchemas.chat;
    const { rows } = await db.raw<{ rows: unknown[] }>(
      `select 1 from information_schema.columns
        where table_schema = ? and table_name = 'sessions' and column_name = 'last_message_id'`,
      [chat],
    );
    if (rows.length === 0) return;
    await db.raw(
      `insert into ??.session_activity (session_id, last_message_id, bumped_at, stored_messages)
       select s.id, s.last_message_id, s.bumped_at, 0 from ??.sessions s where s.last_message_id is not null`,
      [schema, chat],
    );
  },
  async down(db, schema) {
    await db.schema.withSchema(schema).dropTable('session_activity');
  },
};
