import { type Knex, TableStore } from '@warren/shared/db';
import { CHAT_SCHEMA } from './migrations/index.ts';

/** A member's role: the owner may rename, delete and remove members. */
export type Role = 'owner' | 'member';

/** A row of `chat.members`. */
export interface MemberRow {
  session_id: string;
  user_id: string;
  role: Role;
  joined_at: Date;
  /** bigint, as pg returns it: the `seq` of the newest message the member has read. */
  read_seq: string;
}

/** A member as the detail route shows one. */
export interface MemberView {
  user: { id: string; username: string };
  role: Role;
  joined_at: string;
  /** At least one open WebSocket on any gateway (`chat.presence`; never seen: false). */
  online: boolean;
  /** When their last socket closed; `null` while online or never seen. */
  last_seen_at: string | null;
}

/** `chat.members`: who is in which session, with which role, and how far they have read. */
export class MemberStore extends TableStore<MemberRow> {
  constructor(db: Knex) {
    super(db, CHAT_SCHEMA, 'members');
  }

  /** The membership of a user in a session, if any. */
  async find(sessionId: string, userId: string, db: Knex | Knex.Transaction = this.db): Promise<MemberRow | undefined> {
    return this.table(db).where({ session_id: sessionId, user_id: userId }).first();
  }

  /** How many members the session has. */
  async count(trx: Knex.Transaction, sessionId: string): Promise<number> {
    const row = await this.table(trx).where({ session_id: sessionId }).count({ count: '*' }).first();
    return Number(row?.count ?? 0);
  }

  /** The ids of the session's members. */
  async ids(trx: Knex | Knex.Transaction, sessionId: string): Promise<string[]> {
    return this.table(trx).where({ session_id: sessionId }).pluck('user_id');
  }

  /** Adds members with one role. */
  async add(trx: Knex.Transaction, sessionId: string, userIds: readonly string[], role: Role): Promise<void> {
    if (userIds.length === 0) return;
    await this.table(trx).insert(userIds.map((userId) => ({ session_id: sessionId, user_id: userId, role })));
  }

  /** Removes a member. */
  async remove(trx: Knex.Transaction, sessionId: string, userId: string): Promise<void> {
    await this.table(trx).where({ session_id: sessionId, user_id: userId }).delete();
  }

  /** The member who has been in the session longest (earliest `joined_at`, then lowest id). */
  async longestStanding(trx: Knex.Transaction, sessionId: string): Promise<string | undefined> {
    const row = await this.table(trx)
      .select('user_id')
      .where({ session_id: sessionId })
      .orderBy([{ column: 'joined_at' }, { column: 'user_id' }])
      .first();
    return row?.user_id;
  }

  /** Makes a member the owner. */
  async makeOwner(trx: Knex.Transaction, sessionId: string, userId: string): Promise<void> {
    await this.table(trx).where({ session_id: sessionId, user_id: userId }).update({ role: 'owner' });
  }

  /** The session's members with their usernames and presence, longest-standing first. */
  async list(sessionId: string): Promise<MemberView[]> {
    const rows: {
      id: string;
      username: string;
      role: Role;
      joined_at: Date;
      online: boolean | null;
      last_seen_at: Date | null;
    }[] = await this.db
      .from(`${CHAT_SCHEMA}.members as m`)
      .join(`${CHAT_SCHEMA}.users as u`, 'u.id', 'm.user_id')
      .leftJoin(`${CHAT_SCHEMA}.presence as p`, 'p.user_id', 'm.user_id')
      .select('u.id', 'u.username', 'm.role', 'm.joined_at', 'p.online', 'p.last_seen_at')
      .where('m.session_id', sessionId)
      // Members who came with the session joined at the same instant as its owner: owner first.
      .orderByRaw("m.joined_at, m.role = 'owner' desc, m.user_id");
    return rows.map((row) => ({
      user: { id: row.id, username: row.username },
      role: row.role,
      joined_at: row.joined_at.toISOString(),
      online: row.online === true,
      last_seen_at: row.last_seen_at?.toISOString() ?? null,
    }));
  }

  /**
   * Moves a member's read marker forward to `seq`, never back.
   * @returns whether it moved.
   */
  async moveReadMarker(sessionId: string, userId: string, seq: string): Promise<boolean> {
    const updated = await this.table()
      .where({ session_id: sessionId, user_id: userId })
      .where('read_seq', '<', seq)
      .update({ read_seq: seq });
    return updated > 0;
  }
}
