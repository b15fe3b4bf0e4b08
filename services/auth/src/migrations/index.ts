import { databaseSchemas, type Migration } from '@warren/shared/db';
import { usersMigration } from './001-users.ts';
import { refreshTokensMigration } from './002-refresh-tokens.ts';
import { usernameAsciiFoldMigration } from './003-username-ascii-fold.ts';
import { refreshTokensRevokedAtMigration } from './004-refresh-tokens-revoked-at.ts';

/** The PostgreSQL schema the auth service owns. */
export const AUTH_SCHEMA = databaseSchemas.auth;

/** The auth service's migrations, in order. */
export const migrations: readonly Migration[] = [
  usersMigration,
  refreshTokensMigration,
  usernameAsciiFoldMigration,
  refreshTokensRevokedAtMigration,
];
