import knex, { type Knex } from 'knex';
import type { Logger } from 'pino';
import { redactUrl } from '../url.ts';

export type { Knex } from 'knex';

/** Options of {@link createDatabase}. */
export interface DatabaseOptions {
  /** PostgreSQL URL. */
  url: string;
  logger: Logger;
  /** Most connections in the pool. @defaultValue 10 */
  poolMax?: number;
  /** How long a query waits for a pooled connection before failing (503 upstream). @defaultValue 5000 */
  acquireTimeoutMs?: number;
  /** Connection attempt timeout. @defaultValue 3000 */
  connectTimeoutMs?: number;
  /**
   * Client-side limit on one query: a database that silently stops answering (a dropped network
   * path) fails the query instead of hanging it. @defaultValue 15000
   */
  queryTimeoutMs?: number;
}

/** A knex instance on pg. Does not connect until used; see {@link checkDatabase}. */
export function createDatabase(options: DatabaseOptions): Knex {
  const log = options.logger.child({ module: 'db' });
  return knex({
    client: 'pg',
    connection: {
      connectionString: options.url,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 3000,
      query_timeout: options.queryTimeoutMs ?? 15_000,
      keepAlive: true,
    },
    pool: { min: 0, max: options.poolMax ?? 10 },
    acquireConnectionTimeout: options.acquireTimeoutMs ?? 5000,
    log: {
      warn: (message: unknown) => log.warn({ knex: message }, 'knex warning'),
      error: (message: unknown) => log.error({ knex: message }, 'knex error'),
      deprecate: (message: unknown) => log.warn({ knex: message }, 'knex deprecation'),
      debug: () => undefined,
    },
  });
}

/** Resolves when the database answers a query (what `/readyz` reports). */
export async function pingDatabase(db: Knex): Promise<boolean> {
  await db.raw('select 1');
  return true;
}

/**
 * Checks the database at start, so a service pointed at the wrong one stops at once.
 * @throws Error naming the URL (without password) and the variable to set.
 */
export async function checkDatabase(db: Knex, url: string): Promise<void> {
  try {
    await pingDatabase(db);
  } catch (error) {
    throw new Error(
      `cannot reach PostgreSQL at ${redactUrl(url)}: ${(error as Error).message}. ` +
        'Start PostgreSQL or set DATABASE_URL to a reachable database.',
      { cause: error },
    );
  }
}
