import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createDatabase, databaseSchemas, type Knex } from '@warren/shared/db';
import { HISTORY_SCHEMA, type MessageRow, type SessionActivityRow } from '@warren/shared/history';
import { createLogger } from '@warren/shared/logging';
import { testConfig } from '@warren/shared/testing';

const ROOT = join(import.meta.dirname, '..', '..', '..', '..');

/** A stored message row as `history.messages` holds it. */
export type StoredMessageRow = MessageRow & { stored_at: Date };

let migrated: Promise<void> | undefined;

/**
 * Brings the run's database up to date once per process with `npm run migrate`, as an
 * operator does before a deployment. The persister reads `chat.sessions`, which chat-api's
 * migrations make; running them through that command keeps that table exactly as deployed without
 * the persister's code or tests importing chat-api.
 */
function migrateOnce(): Promise<void> {
  migrated ??= (async () => {
    const child = spawn('npm', ['run', '--silent', 'migrate'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: testConfig().databaseUrl },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const [code] = (await once(child, 'exit')) as [number | null];
    if (code !== 0) throw new Error(`npm run migrate exited ${code}:\n${output}`);
  })();
  return migrated;
}

/** The run's database with every schema migrated, and the queries the tests check it with. */
export class TestDatabase {
  readonly db: Knex;

  private constructor(db: Knex) {
    this.db = db;
  }

  static async open(): Promise<TestDatabase> {
    await migrateOnce();
    return new TestDatabase(
      createDatabase({
        url: testConfig().databaseUrl,
        logger: createLogger({ service: 'test', level: testConfig().logLevel }),
      }),
    );
  }

  /** Inserts a session into chat.sessions, with the columns chat-api requires, as it does when it makes one. */
  async insertSession(id: string): Promise<void> {
    await this.db
      .withSchema(databaseSchemas.chat)
      .into('sessions')
      .insert({ id, kind: 'group', name: `test ${id.slice(0, 8)}`, visibility: 'public' });
  }

  /** What storing messages did to a session, or undefined when nothing was stored for it. */
  async activity(sessionId: string): Promise<SessionActivityRow | undefined> {
    return this.db.withSchema(HISTORY_SCHEMA).from('session_activity').where({ session_id: sessionId }).first();
  }

  async message(id: string): Promise<StoredMessageRow | undefined> {
    return this.db.withSchema(HISTORY_SCHEMA).from('messages').where({ id }).first();
  }

  /** Messages of a session, oldest first. */
  async messagesOf(sessionId: string): Promise<StoredMessageRow[]> {
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
