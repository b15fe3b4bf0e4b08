import type { Migration } from '@warren/shared/db';

/**
 * An index on when refresh tokens were revoked, for `GET /auth/ended-logins` (the logins that ended
 * within the last access-token lifetime). Partial: tokens never revoked are not in it.
 */
export const refreshTokensRevokedAtMigration: Migration = {
  name: '004-refresh-tokens-revoked-at',
  async up(db, schema) {
    await db.raw(
      'create index refresh_tokens_revoked_at on ??.refresh_tokens (revoked_at) where revoked_at is not null',
      [schema],
    );
  },
  async down(db, schema) {
    await db.raw('drop index ??.refresh_tokens_revoked_at', [schema]);
  },
};
