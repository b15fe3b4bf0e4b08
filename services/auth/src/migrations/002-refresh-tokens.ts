import type { Migration } from '@warren/shared/db';

/**
 * Refresh tokens, stored only as SHA-256 hashes. A family is one login's chain of rotations: a spent
 * token presented again revokes its whole family (reuse detection).
 */
export const refreshTokensMigration: Migration = {
  name: '002-refresh-tokens',
  async up(db, schema) {
    await db.schema.withSchema(schema).createTable('refresh_tokens', (table) => {
      table.uuid('id').primary();
      table.binary('token_hash').notNullable().unique();
      table.uuid('user_id').notNullable().references('id').inTable(`${schema}.users`).onDelete('CASCADE');
      table.uuid('family_id').notNullable().index();
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
      table.timestamp('expires_at', { useTz: true }).notNullable();
      table.timestamp('spent_at', { useTz: true });
      table.timestamp('revoked_at', { useTz: true });
    });
  },
  async down(db, schema) {
    await db.schema.withSchema(schema).dropTable('refresh_tokens');
  },
};
