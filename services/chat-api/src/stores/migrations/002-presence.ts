import type { Migration } from '@warren/shared/db';

/**
 * `chat.presence`: who is online, as the chat-api instances agreed by flipping it (docs/chat-api.md
 * "Presence"). One row per user ever seen; no foreign key to `users`, since a gateway may report a
 * user whose registration chat-api has not heard of yet.
 */
export const presenceMigration: Migration = {
  name: '002-presence',
  async up(db, schema) {
    await db.schema.withSchema(schema).createTable('presence', (table) => {
      table.uuid('user_id').primary();
      table.boolean('online').notNullable();
      // When their last socket closed; null while online.
      table.timestamp('last_seen_at', { useTz: true });
      table.timestamp('changed_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
    });
    // The reconcile after a start reads the users stored as online.
    await db.raw('create index presence_online on ??.presence (user_id) where online', [schema]);
  },
  async down(db, schema) {
    await db.schema.withSchema(schema).dropTable('presence');
  },
};
