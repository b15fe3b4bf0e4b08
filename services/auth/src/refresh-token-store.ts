import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { type Knex, TableStore } from '@warren/shared/db';
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

/** A login (refresh-token family) that ended: what `login.ended` tells (AMQP.md). */
export interface EndedLogin {
  readonly userId: string;
  /** The family id: the `sid` of the login's access tokens. */
  readonly sid: string;
  /** When the family was first revoked: a retried logout tells the same instant again. */
  readonly endedAt: Date;
}

/** A refresh token just issued, and the login it belongs to. */
export interface IssuedRefreshToken {
  readonly token: string;
  /** The family id, which access tokens carry as `sid`. */
  readonly sid: string;
}

/** What presenting a refresh token came to. */
export type RotateOutcome =
  | { readonly userId: string; readonly token: string; readonly sid: string }
  /** Refused; `ended` is the family a reuse of a spent token just revoked. */
  | { readonly refused: string; readonly ended?: EndedLogin };

const hashOf = (token: string): Buffer => createHash('sha256').update(token).digest();

/**
 * Opaque, random, single-use refresh tokens, stored only as hashes. A family is one login: it
 * starts at login, each rotation adds its successor, and its id is the `sid` of the access tokens
 * issued with it. Presenting a spent token again revokes every token of its family: whoever holds
 * the stolen copy and the victim are both logged out.
 *
 * Rotating and revoking one family take turns (a transaction-scoped advisory lock on the family):
 * otherwise a rotation committing during a revocation would add a successor the revocation's
 * UPDATE never saw, and the login would live on after its `login.ended`.
 */
export class RefreshTokenStore extends TableStore<RefreshTokenRow> {
  readonly #ttlMs: number;

  constructor(db: Knex, ttlSec: number) {
    super(db, AUTH_SCHEMA, 'refresh_tokens');
    this.#ttlMs = ttlSec * 1000;
  }

  /** Issues a token for a user; a new family (login) unless `familyId` continues one. */
  async issue(
    userId: string,
    familyId: string = randomUUID(),
    db: Knex | Knex.Transaction = this.db,
  ): Promise<IssuedRefreshToken> {
    const token = randomBytes(32).toString('base64url');
    await this.table(db).insert({
      id: randomUUID(),
      token_hash: hashOf(token),
      user_id: userId,
      family_id: familyId,
      expires_at: new Date(Date.now() + this.#ttlMs),
    });
    return { token, sid: familyId };
  }

  /**
   * Spends a token and issues its successor in the same family. Refuses one that is unknown,
   * expired, revoked or already spent; a spent one revokes its family, returned as `ended`.
   */
  async rotate(token: string): Promise<RotateOutcome> {
    const hash = hashOf(token);
    const found = await this.table().where({ token_hash: hash }).first('family_id');
    if (!found) return { refused: 'unknown or revoked' };
    return this.db.transaction(async (trx): Promise<RotateOutcome> => {
      await this.#lockFamily(trx, found.family_id);
      // The row lock makes two concurrent presentations of one token serialize: one wins, one is reuse.
      const row = await this.table(trx).where({ token_hash: hash }).forUpdate().first();
      if (!row || row.revoked_at) return { refused: 'unknown or revoked' };
      if (row.spent_at) {
        return {
          refused: 'already used: every session of this login was signed out',
          ended: await this.#end(trx, row),
        };
      }
      if (row.expires_at.getTime() <= Date.now()) return { refused: 'expired' };
      await this.table(trx).where({ id: row.id }).update({ spent_at: new Date() });
      const next = await this.issue(row.user_id, row.family_id, trx);
      return { userId: row.user_id, ...next };
    });
  }

  /**
   * Revokes the family of a token (logout). An unknown token ends nothing (`undefined`): logging
   * out twice is fine. A family already revoked is returned again, with its first revocation time.
   */
  async revoke(token: string): Promise<EndedLogin | undefined> {
    const found = await this.table()
      .where({ token_hash: hashOf(token) })
      .first('user_id', 'family_id');
    if (!found) return undefined;
    return this.db.transaction(async (trx) => {
      await this.#lockFamily(trx, found.family_id);
      return this.#end(trx, found);
    });
  }

  /**
   * Revokes every login of a user that still has a token not revoked (logout-all). Also returns,
   * with their first revocation time, the user's logins revoked at or after `endedSince` and the
   * family `sid` when given (the caller's own login): a retry after a publish that failed finds
   * every login already revoked, and must still tell of each one whose access tokens may live.
   * @returns each of those logins once.
   */
  async revokeAll(userId: string, endedSince: Date, sid?: string): Promise<EndedLogin[]> {
    return this.db.transaction(async (trx) => {
      const live = await this.table(trx)
        .distinct('family_id')
        .where({ user_id: userId })
        .andWhere((query) => query.whereNull('revoked_at').orWhere('revoked_at', '>=', endedSince));
      // Sorted, so two calls for one user lock in the same order; a rotation holds one family only.
      const families = [...new Set([...live.map((row) => row.family_id), ...(sid ? [sid] : [])])].sort();
      const ended: EndedLogin[] = [];
      for (const familyId of families) {
        await this.#lockFamily(trx, familyId);
        ended.push(await this.#end(trx, { user_id: userId, family_id: familyId }));
      }
      return ended;
    });
  }

  /**
   * The logins ended at or after `since`, each once, with its first revocation time: the record
   * chat-api rebuilds its deny list from.
   */
  async endedSince(since: Date): Promise<{ sid: string; endedAt: Date }[]> {
    const rows: { family_id: string; ended_at: Date }[] = await this.table()
      .select('family_id')
      .min({ ended_at: 'revoked_at' })
      .where('revoked_at', '>=', since)
      .groupBy('family_id')
      .orderBy('ended_at');
    return rows.map((row) => ({ sid: row.family_id, endedAt: row.ended_at }));
  }

  /** Revokes what is left of a family (its lock held) and reads when it first ended. */
  async #end(trx: Knex.Transaction, row: Pick<RefreshTokenRow, 'user_id' | 'family_id'>): Promise<EndedLogin> {
    const now = new Date();
    await this.table(trx).where({ family_id: row.family_id }).whereNull('revoked_at').update({ revoked_at: now });
    const first = await this.table(trx).where({ family_id: row.family_id }).min({ ended_at: 'revoked_at' }).first();
    // A `sid` with no row left (its tokens deleted with their user) ends now.
    return { userId: row.user_id, sid: row.family_id, endedAt: first?.ended_at ?? now };
  }

  #lockFamily(trx: Knex.Transaction, familyId: string): Promise<unknown> {
    return trx.raw('select pg_advisory_xact_lock(hashtext(?), hashtext(?))', ['auth.refresh_tokens', familyId]);
  }
}
