import { isUniqueViolation, type Knex, TableStore } from '@warren/shared/db';
import { limits } from '@warren/shared/limits';
import { escapeLike } from './like-pattern.ts';
import { CHAT_SCHEMA } from './migrations/index.ts';

/** A user as chat-api shows one. */
export interface UserSummary {
  readonly id: string;
  readonly username: string;
}

/** A user as auth announced one (`user.registered`) or a token vouches for one. */
export interface KnownUser extends UserSummary {
  /** When auth registered the user; a user first met through a token counts from then. */
  readonly createdAt: Date;
}

/** A row of `chat.users`. */
interface UserRow {
  id: string;
  username: string;
  created_at: Date;
}

/** The characters of README.md's usernames: anything else is in no username. */
const USERNAME_CHARACTERS = /^[A-Za-z0-9_.-]*$/;

/**
 * A username lower-cased in ASCII only. Usernames are ASCII, and PostgreSQL and JavaScript fold
 * other characters differently (PostgreSQL makes `İ` an `i`, JavaScript `i` and U+0307), so a
 * lookup compares `lower(username)` with this and lets nothing else be folded anywhere.
 */
function asciiLower(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => letter.toLowerCase());
}

/** The lookup key of a name, or undefined when no user can have it (outside the username limits). */
function usernameKey(name: string): string | undefined {
  return limits.username.pattern.test(name) ? asciiLower(name) : undefined;
}

/** `chat.users`, chat-api's copy of users. */
export class UserStore extends TableStore<UserRow> {
  constructor(db: Knex) {
    super(db, CHAT_SCHEMA, 'users');
  }

  /**
   * Adds or refreshes a user, dropping an older holder of the same username.
   * @returns false, changing nothing, when a newer user holds the username.
   */
  async remember(user: KnownUser): Promise<boolean> {
    try {
      await this.db.transaction(async (trx) => {
        await this.table(trx)
          .whereRaw('lower(username) = ?', [asciiLower(user.username)])
          .whereNot({ id: user.id })
          .where('created_at', '<=', user.createdAt)
          .delete();
        await trx.raw(
          `insert into ??.users (id, username, created_at) values (?, ?, ?)
           on conflict (id) do update set username = excluded.username,
             created_at = least(users.created_at, excluded.created_at)`,
          [CHAT_SCHEMA, user.id, user.username, user.createdAt],
        );
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      return false;
    }
    return true;
  }

  /** A user by username, ASCII letters in either case. */
  async findByUsername(username: string): Promise<UserSummary | undefined> {
    const key = usernameKey(username);
    if (key === undefined) return undefined;
    return this.table().select('id', 'username').whereRaw('lower(username) = ?', [key]).first();
  }

  /** The users of these usernames (ASCII letters in either case), and the usernames no user has. */
  async findByUsernames(usernames: readonly string[]): Promise<{ found: UserSummary[]; missing: string[] }> {
    const keys = usernames.map(usernameKey).filter((key) => key !== undefined);
    const found: UserSummary[] =
      keys.length === 0 ? [] : await this.table().select('id', 'username').whereRaw('lower(username) = any(?)', [keys]);
    const known = new Set(found.map((user) => asciiLower(user.username)));
    return { found, missing: usernames.filter((name) => !known.has(usernameKey(name) ?? '')) };
  }

  /** Up to `limit` users whose username starts with `prefix`, ASCII letters in either case, by username. */
  async search(prefix: string, limit: number): Promise<UserSummary[]> {
    if (!USERNAME_CHARACTERS.test(prefix)) return [];
    return this.table()
      .select('id', 'username')
      .whereRaw(`lower(username) like ? escape '\\'`, [`${escapeLike(asciiLower(prefix))}%`])
      .orderByRaw('lower(username)')
      .limit(limit);
  }
}
