import type { Knex } from '@warren/shared/db';
import type pg from 'pg';

/**
 * Runs one statement that answers one row with a JSON column `result`, on a pooled connection of its
 * own, as a named statement: PostgreSQL parses it once per connection, not once per batch. Outside
 * a transaction block, it commits as it ends.
 */
export async function runNamedStatement<T>(db: Knex, name: string, text: string, values: unknown[]): Promise<T> {
  const client = db.client as {
    acquireConnection(): Promise<pg.Client>;
    releaseConnection(connection: pg.Client): Promise<void>;
  };
  const connection = await client.acquireConnection();
  try {
    const { rows } = await connection.query<{ result: T }>({ name, text, values });
    return rows[0]?.result as T;
  } finally {
    await client.releaseConnection(connection);
  }
}
