import { type Knex, TableStore } from '@warren/shared/db';
import { HISTORY_SCHEMA } from '@warren/shared/history';
import { CHAT_SCHEMA } from './migrations/index.ts';

/** Who may find a session by search and join it. */
export type Visibility = 'private' | 'public';

/** A row of `chat.sessions`. */
export interface SessionRow {
  id: string;
  kind: 'group' | 'direct';
  /** null for direct sessions, which each member sees named after the other. */
  name: string | null;
  visibility: Visibility;
  /** null for direct sessions, which have no owner. */
  owner_id: string | null;
  created_at: Date;
  /** Its creation; messages bump a session further in `history.session_activity` (see `SessionViews`). */
  bumped_at: Date;
  /**
   * Its own changes (members, name, visibility), a bigint as pg returns it: a decimal string. The
   * messages stored in it count on top, in `history.session_activity`.
   */
  version: string;
  direct_key: string | null;
}

/** What a change of a session's own fields may set. */
export interface SessionChanges {
  name?: string;
  visibility?: Visibility;
  owner_id?: string | null;
}

/**
 * `chat.sessions`, written inside the transactions of membership changes. Every change locks the
 * session's row first (through `SessionAccess.lock`), so changes of one session (and their
 * `version`) happen one after the other.
 */
export class SessionStore extends TableStore<SessionRow> {
  constructor(db: Knex) {
    super(db, CHAT_SCHEMA, 'sessions');
  }

  /** Inserts a new group session. */
  async insert(
    trx: Knex.Transaction,
    session: Pick<SessionRow, 'id' | 'kind' | 'name' | 'visibility' | 'owner_id'>,
  ): Promise<void> {
    await this.table(trx).insert(session);
  }

  /**
   * Inserts the direct session of a pair unless one exists: a concurrent insert of the same pair
   * waits for the first to commit, then inserts nothing.
   * @returns whether this call inserted it.
   */
  async insertDirect(trx: Knex.Transaction, id: string, directKey: string): Promise<boolean> {
    const rows = await this.table(trx)
      .insert({ id, kind: 'direct', name: null, visibility: 'private', owner_id: null, direct_key: directKey })
      .onConflict('direct_key')
      .ignore()
      .returning('id');
    return rows.length > 0;
  }

  /** The direct session of a pair, its row locked until the transaction ends. */
  async lockDirect(trx: Knex.Transaction, directKey: string): Promise<SessionRow | undefined> {
    return this.table(trx).where({ direct_key: directKey }).forUpdate().first();
  }

  /**
   * Applies changes (if any) and increases the version by one.
   * @returns the session's new version: its own plus the messages stored in it, which no batch can
   * change meanwhile, since the persister locks the session's row too.
   */
  async change(trx: Knex.Transaction, id: string, changes: SessionChanges = {}): Promise<number> {
    const [row] = await this.table(trx)
      .where({ id })
      .update({ ...changes, version: trx.raw('version + 1') })
      .returning(
        trx.raw(
          'version + coalesce((select a.stored_messages from ??.session_activity a where a.session_id = ?), 0) as version',
          [HISTORY_SCHEMA, id],
        ),
      );
    return Number(row?.version);
  }

  /** Deletes the session; its members go with it. */
  async delete(trx: Knex.Transaction, id: string): Promise<void> {
    await this.table(trx).where({ id }).delete();
  }
}

/** The direct key of a pair of users: the same whoever asks first. */
export function directKeyOf(userA: string, userB: string): string {
  return [userA, userB].sort().join(':');
}
