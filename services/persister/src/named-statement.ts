import type { Knex } from '@warren/shared/db';
import type pg from 'pg';

/**
 * Runs one statement that answers one row with a JSON column `result`, on a pooled connection, as a
 * named statement: PostgreSQL parses and plans it once per connection, not once per batch.
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
