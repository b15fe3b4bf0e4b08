import { ConfigError, parseEnv } from '../config/parse-env.ts';
import { variables } from '../config/variables.ts';
import { checkDatabase, createDatabase } from '../db/database.ts';
import { migrate } from '../db/migrations.ts';
import { createLogger } from '../logging/logger.ts';
import type { SchemaMigrations } from './service-spec.ts';

/**
 * A service's `npm run migrate` (its `src/migrate-main.ts`): brings its schemas up to date in
 * DATABASE_URL's database, in order, printing `<schema>: applied …` or `<schema>: up to date` for
 * each. Services also do this themselves at start; this is for operators who migrate ahead of a
 * deployment. A bad variable, an unreachable database or a failed migration sets exit code 1 with a
 * message naming the cause.
 */
export async function runMigrations(
  name: string,
  schemas: readonly SchemaMigrations[],
  env: Readonly<Record<string, string | undefined>>,
): Promise<void> {
  let config: { DATABASE_URL: string; LOG_LEVEL: string };
  try {
    config = parseEnv({ DATABASE_URL: variables.DATABASE_URL, LOG_LEVEL: variables.LOG_LEVEL }, env);
  } catch (error) {
    console.error(error instanceof ConfigError ? `${name}: ${error.message}` : error);
    process.exitCode = 1;
    return;
  }
  const db = createDatabase({
    url: config.DATABASE_URL,
    logger: createLogger({ service: `${name}-migrate`, level: config.LOG_LEVEL }),
  });
  try {
    await checkDatabase(db, config.DATABASE_URL);
    for (const { schema, migrations } of schemas) {
      const applied = await migrate(db, schema, migrations);
      console.log(`${schema}: ${applied.length > 0 ? `applied ${applied.join(', ')}` : 'up to date'}`);
    }
  } catch (error) {
    console.error(`${name}: ${(error as Error).message}`);
    process.exitCode = 1;
  } finally {
    await db.destroy();
  }
}
