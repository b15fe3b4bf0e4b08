import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { type Knex, TableStore } from '@warren/shared/db';
import { AuthErrors } from './errors.ts';
import { AUTH_SCHEMA } from './migrations/index.ts';

interface RefreshTokenRow {
  id: string;
  token_hash: Buffer;
  user_id: string;
  family_id: string;
  expires_at: Date;
  spent_at: Date | null;
  revoked_at: Date | null;
}

const hashOf = (token: string): Buffer => createHash('sha256').update(token).digest();

/**
 * Opaque, random, single-use refresh tokens, stored only as hashes. Presenting a spent token again
 * revokes every token of its family: whoever holds the stolen copy and the victim are both logged out.
 */
export class RefreshTokenStore extends TableStore<RefreshTokenRow> {
  readonly #ttlMs: number;

  constructor(db: Knex, ttlSec: number) {
    super(db, AUTH_SCHEMA, 'refresh_tokens');
    this.#ttlMs = ttlSec * 1000;
  }

  /** Issues a token for a user; a new family unless `familyId` continues one. */
  async issue(userId: string, familyId: string = randomUUID(), db: Knex | Knex.Transaction = this.db): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await this.table(db).insert({
      id: randomUUID(),
      token_hash: hashOf(token),
      user_id: userId,
      family_id: familyId,
      expires_at: new Date(Date.now() + this.#ttlMs),
    });
    return token;
  }

  /**
   * Spends a token and issues its successor in the same family.
   * @returns the user id and the new token.
   * @throws INVALID_REFRESH_TOKEN when unknown, expired, revoked or already spent (then revoking the family).
   */
  async rotate(token: string): Promise<{ userId: string; token: string }> {
    const outcome = await this.db.transaction(async (trx) => {
      // The row lock makes two concurrent presentations of one token serialize: one wins, one is reuse.
      const row = await this.table(trx)
        .where({ token_hash: hashOf(token) })
        .forUpdate()
        .first();
      if (!row || row.revoked_at) return { error: 'unknown or revoked' } as const;
      if (row.spent_at) {
        await this.#revokeFamily(trx, row.family_id);
        return { error: 'already used: every session of this login was signed out' } as const;
      }
      if (row.expires_at.getTime() <= Date.now()) return { error: 'expired' } as const;
      await this.table(trx).where({ id: row.id }).update({ spent_at: new Date() });
      return { userId: row.user_id, token: await this.issue(row.user_id, row.family_id, trx) };
    });
    if ('error' in outcome) throw new AuthErrors.invalidRefreshToken(`the refresh token is ${outcome.error}`);
    return outcome;
  }

  /** Revokes the family of a token (logout). Unknown tokens are ignored: logging out twice is fine. */
  async revoke(token: string): Promise<void> {
    const row = await this.table()
      .where({ token_hash: hashOf(token) })
      .first();
    if (row) await this.#revokeFamily(this.db, row.family_id);
  }

  async #revokeFamily(db: Knex | Knex.Transaction, familyId: string): Promise<void> {
    await this.table(db).where({ family_id: familyId }).whereNull('revoked_at').update({ revoked_at: new Date() });
  }
}
