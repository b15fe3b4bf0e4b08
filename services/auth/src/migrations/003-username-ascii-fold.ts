import type { Migration } from '@warren/shared/db';

/**
 * Usernames unique under ASCII case folding only: `lower()` under the "C" collation changes A-Z and
 * nothing else, exactly as `usernameKey` (username-key.ts) does, so uniqueness, the login lookup and the login
 * limit's key agree whatever the database's locale (a Turkish one lower-cases `I` to `ı`).
 */
export const usernameAsciiFoldMigration: Migration = {
  name: '003-username-ascii-fold',
  async up(db, schema) {
    await db.raw('create unique index users_username_ascii_lower on ??.users ((lower(username collate "C")))', [
      schema,
    ]);
    await db.raw('drop index ??.users_username_lower', [schema]);
  },
  async down(db, schema) {
    await db.raw('create unique index users_username_lower on ??.users (lower(username))', [schema]);
    await db.raw('drop index ??.users_username_ascii_lower', [schema]);
  },
};
