import type { Knex } from 'knex';

/** One migration of a service, written against that service's own schema. */
export interface Migration {
  /** Unique and sortable, e.g. `001-users`. */
  name: string;
  up(db: Knex, schema: string): Promise<void>;
  down(db: Knex, schema: string): Promise<void>;
}

/**
 * Brings a service's PostgreSQL schema up to date. Each service owns one schema and keeps its own
 * migration table in it, so services migrate independently. Migrations are imported modules, not
 * files found at run time, so they are type-checked and work the same under tsx and in containers.
 * Instances that start together take turns (a PostgreSQL advisory lock per schema, held on one
 * pooled connection, so the pool needs at least two): knex's own lock does not cover creating the
 * schema and its tables, and it fails instead of waiting while another instance migrates.
 * @returns the names of the migrations applied now.
 */
export async function migrate(db: Knex, schema: string, migrations: readonly Migration[]): Promise<string[]> {
  const lockKey = `warren.migrate.${schema}`;
  const connection: unknown = await db.client.acquireConnection();
  try {
    await db.raw('select pg_advisory_lock(hashtext(?))', [lockKey]).connection(connection);
    try {
      return await migrateLocked(db, schema, migrations);
    } finally {
      await db.raw('select pg_advisory_unlock(hashtext(?))', [lockKey]).connection(connection);
    }
  } finally {
    await db.client.releaseConnection(connection);
  }
}

async function migrateLocked(db: Knex, schema: string, migrations: readonly Migration[]): Promise<string[]> {
  await db.raw('create schema if not exists ??', [schema]);
  const byName = new Map(migrations.map((migration) => [migration.name, migration]));
  const [, applied] = (await db.migrate.latest({
    schemaName: schema,
    tableName: 'migrations',
    migrationSource: {
      getMigrations: async () => [...byName.keys()].sort(),
      getMigrationName: (name: string) => name,
      getMigration: async (name: string) => {
        const migration = byName.get(name);
        if (!migration) throw new Error(`unknown migration ${name}`);
        return { up: (knex: Knex) => migration.up(knex, schema), down: (knex: Knex) => migration.down(knex, schema) };
      },
    },
  })) as [number, string[]];
  return applied;
}
