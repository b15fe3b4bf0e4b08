import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { checkDatabase, createDatabase } from '../db/database.ts';

export { pingDatabase } from '../db/database.ts';

import { migrate } from '../db/migrations.ts';
import type { ResourceStack } from './resource-stack.ts';
import type { ServiceDatabase } from './service-spec.ts';

/**
 * Opens a service's database, checks that it answers and migrates its schemas in order; the pool
 * is added to `resources` first, so a failed check or migration closes it.
 * @throws Error naming the URL when PostgreSQL cannot be reached, or what a migration threw.
 */
export async function openDatabase(database: ServiceDatabase, logger: Logger, resources: ResourceStack): Promise<Knex> {
  const db = createDatabase({ url: database.url, logger });
  resources.add('database', () => db.destroy());
  await checkDatabase(db, database.url);
  for (const { schema, migrations } of database.schemas) await migrate(db, schema, migrations);
  return db;
}
