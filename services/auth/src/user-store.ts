import { randomUUID } from 'node:crypto';
import { isUniqueViolation, type Knex, TableStore } from '@warren/shared/db';
import { AuthErrors } from './errors.ts';
import { AUTH_SCHEMA } from './migrations/index.ts';

/** A user as HTTP.md shows it. */
export interface User {
  id: string;
  username: string;
  created_at: string;
}

interface UserRow {
  id: string;
  username: string;
  email: string | null;
  password_hash: string;
  created_at: Date;
}

function toUser(row: UserRow): User {
  return { id: row.id, username: row.username, created_at: row.created_at.toISOString() };
}

/** Users and their password hashes in the `auth` schema. */
export class UserStore extends TableStore<UserRow> {
  constructor(db: Knex) {
    super(db, AUTH_SCHEMA, 'users');
  }

  /**
   * Inserts a user inside `trx`.
   * @throws USERNAME_TAKEN when the name is taken, whatever its case.
   */
  async create(
    trx: Knex.Transaction,
    input: { username: string; email?: string | undefined; passwordHash: string },
  ): Promise<User> {
    try {
      const [row] = await this.table(trx)
        .insert({
          id: randomUUID(),
          username: input.username,
          email: input.email ?? null,
          password_hash: input.passwordHash,
        })
        .returning(['id', 'username', 'password_hash', 'created_at']);
      return toUser(row as UserRow);
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new AuthErrors.usernameTaken(`the username ${input.username} is taken`, { cause: error });
      }
      throw error;
    }
  }

  /**
   * The user and password hash of a username given by its key (`usernameKey`): ASCII letters match
   * in either case, nothing else is folded (the expression of the unique index).
   */
  async findCredentials(key: string): Promise<{ user: User; passwordHash: string } | undefined> {
    const row = await this.table().whereRaw('lower(username collate "C") = ?', [key]).first();
    return row ? { user: toUser(row), passwordHash: row.password_hash } : undefined;
  }

  /** A user by id. */
  async findById(id: string): Promise<User | undefined> {
    const row = await this.table().where({ id }).first();
    return row ? toUser(row) : undefined;
  }
}
