import { names } from '@warren/shared/amqp';
import { checkDatabase, createDatabase, databaseSchemas } from '@warren/shared/db';
import { HISTORY_SCHEMA } from '@warren/shared/history';
import { redactUrl } from '@warren/shared/url';
import { Command } from 'commander';
import { loadConfig } from '../config.ts';
import { CliErrors } from '../errors.ts';
import { oneLine } from '../format.ts';
import { cliLogger } from '../logger.ts';
import { positiveIntOption } from '../options.ts';

interface SessionsOptions {
  limit: number;
  json?: boolean;
  databaseUrl?: string;
}

/** A session as `warren sessions` lists it. */
interface SessionListing {
  id: string;
  exchange: string;
  kind: 'group' | 'direct';
  visibility: 'private' | 'public';
  name: string | null;
  members: number;
  bumped_at: string;
}

/** A row of the query below: pg returns a count (bigint) as a string. */
interface SessionRow {
  id: string;
  kind: 'group' | 'direct';
  visibility: 'private' | 'public';
  name: string | null;
  members: string;
  bumped_at: Date;
}

/** PostgreSQL's SQLSTATE for a table that does not exist. */
const UNDEFINED_TABLE = '42P01';

/**
 * `warren sessions`: every session with its exchange name, most recently active first. It reads
 * PostgreSQL, in a read-only transaction, rather than asking chat-api: chat-api lists only the
 * caller's own sessions and needs a chat user's token, while an operator needs every session,
 * private and direct ones included, to find the exchange to publish to or tail.
 */
export function sessionsCommand(): Command {
  return new Command('sessions')
    .summary('list sessions with their exchange names (reads PostgreSQL, read-only)')
    .description(
      "Lists the sessions in chat-api's database, most recently active first, with the exchange each one " +
        'publishes on (warren.session.<id>). Reads DATABASE_URL (or --database-url) in a read-only ' +
        'transaction; a role with only SELECT on the chat schema and history.session_activity is enough.',
    )
    .option('--limit <n>', 'list at most n sessions', positiveIntOption, 100)
    .option('--json', 'print JSON instead of a table')
    .option('--database-url <url>', 'PostgreSQL URL (default: DATABASE_URL)')
    .action(async (options: SessionsOptions, command: Command) => {
      const config = loadConfig(['DATABASE_URL'], process.env, { databaseUrl: options.databaseUrl });
      const db = createDatabase({ url: config.DATABASE_URL, logger: cliLogger(command), poolMax: 2 });
      let rows: SessionRow[];
      try {
        await checkDatabase(db, config.DATABASE_URL).catch((error: Error) => {
          throw new CliErrors.databaseUnavailable(
            error.message.replace('DATABASE_URL', 'DATABASE_URL (or --database-url)'),
            { cause: error },
          );
        });
        rows = await db.transaction(async (trx): Promise<SessionRow[]> => {
          await trx.raw('set transaction read only');
          const chat = databaseSchemas.chat;
          // A direct session has no name of its own: each member sees it named after the other.
          return (
            trx
              .withSchema(chat)
              .from('sessions as s')
              .leftJoin('members as m', 'm.session_id', 's.id')
              .leftJoin('users as u', 'u.id', 'm.user_id')
              // Messages bump a session in the persister's history.session_activity (a raw name:
              // withSchema would put it in the chat schema); the later of the two is its activity.
              .leftJoin(trx.raw('??.session_activity as a', [HISTORY_SCHEMA]), 'a.session_id', 's.id')
              .groupBy('s.id', 'a.session_id')
              .orderByRaw('greatest(s.bumped_at, a.bumped_at) desc, s.id asc')
              .limit(options.limit)
              .select(
                's.id',
                's.kind',
                's.visibility',
                trx.raw("coalesce(s.name, string_agg(u.username, ', ' order by lower(u.username))) as name"),
                trx.raw('count(m.user_id) as members'),
                trx.raw('greatest(s.bumped_at, a.bumped_at) as bumped_at'),
              )
          );
        });
      } catch (error) {
        if ((error as { code?: unknown }).code === UNDEFINED_TABLE) {
          throw new CliErrors.databaseNotMigrated(
            `${redactUrl(config.DATABASE_URL)} has no ${databaseSchemas.chat}.sessions table: chat-api has not migrated this database yet (start chat-api once).`,
            { cause: error },
          );
        }
        throw error;
      } finally {
        await db.destroy();
      }
      const sessions: SessionListing[] = rows.map((row) => ({
        id: row.id,
        exchange: names.sessionExchange(row.id),
        kind: row.kind,
        visibility: row.visibility,
        name: row.name,
        members: Number(row.members),
        bumped_at: row.bumped_at.toISOString(),
      }));
      if (options.json) {
        console.log(JSON.stringify(sessions, null, 2));
        return;
      }
      if (sessions.length === 0) {
        console.log('no sessions');
        return;
      }
      for (const session of sessions) {
        console.log(
          `${session.exchange}  ${session.kind.padEnd(6)}  ${session.visibility.padEnd(7)}  ${String(session.members).padStart(5)} members  ${oneLine(session.name ?? '', 60)}`,
        );
      }
    });
}
