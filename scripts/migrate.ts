// `npm run migrate`: brings every service's PostgreSQL schema up to date (services also do this
// themselves at start; this is for operators who migrate ahead of a deployment).
import { AUTH_SCHEMA, migrations as authMigrations } from '@warren/auth';
import { CHAT_SCHEMA, migrations as chatMigrations } from '@warren/chat-api';
import { parseEnv, variables } from '@warren/shared/config';
import { checkDatabase, createDatabase, migrate } from '@warren/shared/db';
import { HISTORY_SCHEMA, historyMigrations } from '@warren/shared/history';
import { createLogger } from '@warren/shared/logging';

const config = parseEnv({ DATABASE_URL: variables.DATABASE_URL, LOG_LEVEL: variables.LOG_LEVEL }, process.env);
const db = createDatabase({
  url: config.DATABASE_URL,
  logger: createLogger({ service: 'migrate', level: config.LOG_LEVEL }),
});
try {
  await checkDatabase(db, config.DATABASE_URL);
  for (const [schema, list] of [
    [AUTH_SCHEMA, authMigrations],
    [CHAT_SCHEMA, chatMigrations],
    [HISTORY_SCHEMA, historyMigrations],
  ] as const) {
    const applied = await migrate(db, schema, list);
    console.log(`${schema}: ${applied.length > 0 ? `applied ${applied.join(', ')}` : 'up to date'}`);
  }
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
} finally {
  await db.destroy();
}
