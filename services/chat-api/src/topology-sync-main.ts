// `npm run topology:sync`: rebuilds every session exchange and member binding from PostgreSQL, for
// a broker that lost its definitions while chat-api keeps running. Same variables as chat-api.
import { AmqpClient } from '@warren/shared/amqp';
import { ConfigError } from '@warren/shared/config';
import { checkDatabase, createDatabase } from '@warren/shared/db';
import { createLogger } from '@warren/shared/logging';
import { syncTopology } from '@warren/shared/session-topology';
import { loadConfig } from './config.ts';

try {
  const config = loadConfig(process.env);
  const logger = createLogger({ service: 'chat-api', level: config.LOG_LEVEL });
  const db = createDatabase({ url: config.DATABASE_URL, logger });
  const amqp = new AmqpClient({ url: config.RABBITMQ_URL, connectionName: 'chat-api topology-sync', logger });
  let failed = false;
  try {
    await checkDatabase(db, config.DATABASE_URL);
    await amqp.start();
    const { sessions, memberBindings } = await syncTopology({ db, amqp, logger });
    console.log(`topology:sync: ${sessions} session exchanges and ${memberBindings} member bindings declared`);
  } catch (error) {
    failed = true;
    console.error(`topology:sync: ${(error as Error).message}`);
  } finally {
    await amqp.close();
    await db.destroy();
  }
  process.exit(failed ? 1 : 0);
} catch (error) {
  console.error(error instanceof ConfigError ? `topology:sync: ${error.message}` : error);
  process.exit(1);
}
