import { CHAT_SCHEMA, migrations as chatMigrations } from '@warren/chat-api';
import { createDatabase, createLogger, type Knex, migrate } from '@warren/shared';
import { testConfig } from '@warren/shared/testing';
import { HISTORY_SCHEMA, migrations } from '../../src/migrations/index.ts';

/** A stored message row as `history.messages` holds it. */
export interface MessageRow {
  seq: string;
  id: string;
  session_id: string;
  author_kind: 'user' | 'bot' | 'system';
  author_id: string | null;
  author_name: string | null;
  type: string;
  content: string;
  extra: Record<string, unknown> | null;
  created_at: Date;
  stored_at: Date;
}

/** A session row, with the columns the persister keeps up to date. */
export interface SessionRow {
  id: string;
  version: string;
  last_message_id: string | null;
  bumped_at: Date;
}

/**
 * The run's database with chat-api's and the persister's schemas migrated, and the queries the
 * tests check it with.
 */
export class TestDatabase {
  readonly db: Knex;

  private constructor(db: Knex) {
    this.db = db;
  }

  static async open(): Promise<TestDatabase> {
    const db = createDatabase({
      url: testConfig().databaseUrl,
      logger: createLogger({ service: 'test', level: testConfig().logLevel }),
    });
    await migrate(db, CHAT_SCHEMA, chatMigrations);
    await migrate(db, HISTORY_SCHEMA, migrations);
    return new TestDatabase(db);
  }

  /** Inserts a session into chat.sessions, as chat-api does when it makes one. */
  async insertSession(id: string, bumpedAt = new Date()): Promise<void> {
    await this.db
      .withSchema(CHAT_SCHEMA)
      .into('sessions')
      .insert({ id, kind: 'group', name: `test ${id.slice(0, 8)}`, visibility: 'public', bumped_at: bumpedAt });
  }

  async session(id: string): Promise<SessionRow> {
    const row = await this.db
      .withSchema(CHAT_SCHEMA)
      .from('sessions')
      .where({ id })
      .first('id', 'version', 'last_message_id', 'bumped_at');
    if (!row) throw new Error(`no session ${id}`);
    return row as SessionRow;
  }

  async message(id: string): Promise<MessageRow | undefined> {
    return this.db.withSchema(HISTORY_SCHEMA).from('messages').where({ id }).first();
  }

  /** Messages of a session, oldest first. */
  async messagesOf(sessionId: string): Promise<MessageRow[]> {
    return this.db.withSchema(HISTORY_SCHEMA).from('messages').where({ session_id: sessionId }).orderBy('seq');
  }

  async countOf(sessionId: string): Promise<number> {
    const row = await this.db
      .withSchema(HISTORY_SCHEMA)
      .from('messages')
      .where({ session_id: sessionId })
      .count<{ count: string }[]>({ count: '*' })
      .first();
    return Number(row?.count ?? 0);
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}
