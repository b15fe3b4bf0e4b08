import type { Knex } from '@warren/shared/db';
import type pg from 'pg';

/** One of the pool's connections, as pg gives it, for statements that must share a transaction. */
export type Connection = pg.Client;

/**
 * Runs `work` on one pooled connection, returning it to the pool afterwards (the statements of one
 * transaction must share a connection).
 */
export async function withConnection<T>(db: Knex, work: (connection: Connection) => Promise<T>): Promise<T> {
  const client = db.client as {
    acquireConnection(): Promise<Connection>;
    releaseConnection(connection: Connection): Promise<void>;
  };
  const connection = await client.acquireConnection();
  try {
    return await work(connection);
  } finally {
    await client.releaseConnection(connection);
  }
}

/**
 * Runs one statement that answers one row with a JSON column `result` on `connection`, as a named
 * statement: PostgreSQL parses and plans it once per connection, not once per batch.
 */
export async function namedStatement<T>(connection: Connection, name: string, text: string, values: unknown[]) {
  const { rows } = await connection.query<{ result: T }>({ name, text, values });
  return rows[0]?.result as T;
}

/** {@link namedStatement} on a pooled connection of its own: outside a transaction block, it commits as it ends. */
export function runNamedStatement<T>(db: Knex, name: string, text: string, values: unknown[]): Promise<T> {
  return withConnection(db, (connection) => namedStatement<T>(connection, name, text, values));
}
