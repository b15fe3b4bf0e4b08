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
 * knex's lock makes concurrent instances safe.
 * @returns the names of the migrations applied now.
 */
export async function migrate(db: Knex, schema: string, migrations: readonly Migration[]): Promise<string[]> {
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
