import type { Migration } from '@warren/shared/db';

/**
 * chat-api's own tables: its copy of users, sessions and their members. Messages live in the
 * persister's `history` schema, with what they did to each session (`history.session_activity`).
 * `sessions.last_message_id` is no longer read or written: history's `002-session-activity` copied
 * it over, and a later migration drops it once every deployment has run that one.
 */
export const chatMigration: Migration = {
  name: '001-chat',
  async up(db, schema) {
    await db.schema.withSchema(schema).createTable('users', (table) => {
      table.uuid('id').primary();
      table.text('username').notNullable();
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
    });
    await db.raw('create unique index users_username_lower on ??.users (lower(username))', [schema]);
    // Prefix search of GET /api/users.
    await db.raw('create index users_username_prefix on ??.users (lower(username) text_pattern_ops)', [schema]);

    await db.schema.withSchema(schema).createTable('sessions', (table) => {
      table.uuid('id').primary();
      table.text('kind').notNullable().checkIn(['group', 'direct']);
      table.text('name');
      table.text('visibility').notNullable().checkIn(['private', 'public']);
      table.uuid('owner_id');
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
      table.timestamp('bumped_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
      table.bigInteger('version').notNullable().defaultTo(0);
      table.uuid('last_message_id');
      // `<smaller user id>:<larger user id>` for direct sessions: one per pair, whoever asks first.
      table.text('direct_key').unique();
    });
    await db.raw("create index sessions_public_name on ??.sessions (lower(name)) where visibility = 'public'", [
      schema,
    ]);

    await db.schema.withSchema(schema).createTable('members', (table) => {
      table.uuid('session_id').notNullable().references('id').inTable(`${schema}.sessions`).onDelete('CASCADE');
      table.uuid('user_id').notNullable().references('id').inTable(`${schema}.users`).onDelete('CASCADE');
      table.text('role').notNullable().checkIn(['owner', 'member']);
      table.timestamp('joined_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
      // The read marker: the `seq` (history.messages) of the newest message the member has read.
      table.bigInteger('read_seq').notNullable().defaultTo(0);
      table.primary(['session_id', 'user_id']);
      table.index(['user_id']);
    });
  },
  async down(db, schema) {
    await db.schema.withSchema(schema).dropTable('members');
    await db.schema.withSchema(schema).dropTable('sessions');
    await db.schema.withSchema(schema).dropTable('users');
  },
};
