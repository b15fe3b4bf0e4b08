import type { Presence } from '@warren/shared/contract';
import type { Knex } from '@warren/shared/db';
import type { PresenceFlip } from '../presence/presence-aggregate.ts';
import { CHAT_SCHEMA } from './migrations/index.ts';

/** A session of a user, with how many members it has: what presence fan-out costs there. */
export interface SessionSize {
  readonly sessionId: string;
  readonly memberCount: number;
}

/** `chat.presence`: the presence every chat-api instance agrees on, and what the routes answer. */
export class PresenceStore {
  readonly #db: Knex;

  constructor(db: Knex) {
    this.#db = db;
  }

  /**
   * Writes a flip only when it changes the stored state, in one statement: of several instances
   * making the same flip, exactly one sees its statement change the row, and it alone publishes.
   * @returns whether this statement changed it.
   */
  async flip(flip: PresenceFlip): Promise<boolean> {
    const table = `${CHAT_SCHEMA}.presence`;
    if (flip.online) {
      const { rows } = await this.#db.raw<{ rows: unknown[] }>(
        `insert into ${table} as p (user_id, online, last_seen_at, changed_at) values (?, true, null, now())
         on conflict (user_id) do update set online = true, last_seen_at = null, changed_at = now()
         where not p.online
         returning p.user_id`,
        [flip.userId],
      );
      return rows.length > 0;
    }
    // A user never stored online has nothing to go offline from.
    const changed = await this.#db
      .withSchema(CHAT_SCHEMA)
      .table('presence')
      .where({ user_id: flip.userId, online: true })
      .update({ online: false, last_seen_at: flip.lastSeenAt, changed_at: this.#db.fn.now() });
    return changed > 0;
  }

  /** The users stored as online. */
  async online(): Promise<string[]> {
    return this.#db.withSchema(CHAT_SCHEMA).from('presence').where({ online: true }).pluck('user_id');
  }

  /** The sessions of a user, each with its member count. */
  async sessionsOf(userId: string): Promise<SessionSize[]> {
    const rows: { session_id: string; member_count: number }[] = await this.#db
      .from(`${CHAT_SCHEMA}.members as m`)
      .select(
        'm.session_id',
        this.#db.raw(
          `(select count(*) from ${CHAT_SCHEMA}.members c where c.session_id = m.session_id)::int as member_count`,
        ),
      )
      .where('m.user_id', userId);
    return rows.map((row) => ({ sessionId: row.session_id, memberCount: row.member_count }));
  }

  /**
   * The presence of those of `userIds` who share a session with the caller (the caller included
   * when in any session); a user never seen is offline, never seen (`last_seen_at` null).
   */
  async visibleTo(callerId: string, userIds: readonly string[]): Promise<Presence[]> {
    const rows: { id: string; online: boolean | null; last_seen_at: Date | null }[] = await this.#db
      .from(`${CHAT_SCHEMA}.members as mine`)
      .join(`${CHAT_SCHEMA}.members as theirs`, 'theirs.session_id', 'mine.session_id')
      .leftJoin(`${CHAT_SCHEMA}.presence as p`, 'p.user_id', 'theirs.user_id')
      .distinct('theirs.user_id as id', 'p.online', 'p.last_seen_at')
      .where('mine.user_id', callerId)
      .whereIn('theirs.user_id', userIds)
      .orderBy('theirs.user_id');
    return rows.map(presenceOf);
  }
}

/** A presence row (left-joined: null when never seen) as the API shows it. */
export function presenceOf(row: { id: string; online: boolean | null; last_seen_at: Date | null }): Presence {
  return { id: row.id, online: row.online === true, last_seen_at: row.last_seen_at?.toISOString() ?? null };
}
