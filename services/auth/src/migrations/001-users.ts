import type { Migration } from '@warren/shared/db';

/** Users and their credentials. Usernames are unique without regard to case (README.md limits). */
export const usersMigration: Migration = {
  name: '001-users',
  async up(db, schema) {
    await db.schema.withSchema(schema).createTable('users', (table) => {
      table.uuid('id').primary();
      table.text('username').notNullable();
      table.text('email');
      table.text('password_hash').notNullable();
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
    });
    await db.raw('create unique index users_username_lower on ??.users (lower(username))', [schema]);
  },
  async down(db, schema) {
    await db.schema.withSchema(schema).dropTable('users');
  },
};
