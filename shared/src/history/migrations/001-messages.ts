import type { Migration } from '../../db/migrations.ts';

/**
 * Stored chat messages. `id` makes storing idempotent (insert … on conflict do nothing); `seq` is
 * the order messages were stored in, the order of history and of read markers (message ids made by
 * third parties or derived as UUIDv5 are not time-ordered).
 */
export const messagesMigration: Migration = {
  name: '001-messages',
  async up(db, schema) {
    await db.schema.withSchema(schema).createTable('messages', (table) => {
      table.bigIncrements('seq').primary();
      table.uuid('id').notNullable().unique();
      table.uuid('session_id').notNullable();
      table.text('author_kind').notNullable().checkIn(['user', 'bot', 'system']);
      table.uuid('author_id');
      // The username of a user author, the AMQP user of a bot, null for system messages.
      table.text('author_name');
      table.text('type').notNullable();
      table.text('content').notNullable();
      table.jsonb('extra');
      table.timestamp('created_at', { useTz: true }).notNullable();
      table.timestamp('stored_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
      table.index(['session_id', 'seq']);
    });
  },
  async down(db, schema) {
    await db.schema.withSchema(schema).dropTable('messages');
  },
};
