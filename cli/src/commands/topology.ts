import { checkDatabase, createDatabase } from '@warren/shared/db';
import { syncTopology } from '@warren/shared/session-topology';
import { Command } from 'commander';
import { connectBroker } from '../broker.ts';
import { loadConfig } from '../config.ts';
import { CliErrors, explainBrokerError } from '../errors.ts';
import { cliLogger } from '../logger.ts';
import { URL_HELP } from '../options.ts';

interface SyncOptions {
  url?: string;
  databaseUrl?: string;
}

/** `warren topology sync`: chat-api's rebuild of every session exchange and member binding. */
export function topologyCommand(): Command {
  const sync = new Command('sync')
    .summary('rebuild every session exchange and member binding from PostgreSQL')
    .description(
      "Runs chat-api's topology sync: declares every session's exchange warren.session.<id>, binds it to " +
        "warren.messages and to each member's warren.user.<id>, from chat-api's database, for a broker that " +
        "lost its definitions. Idempotent. Connects as the RABBITMQ_URL user, which needs chat-api's " +
        'permissions (the chat-api or admin user).',
    )
    .option('--url <amqp-url>', URL_HELP)
    .option('--database-url <url>', 'PostgreSQL URL (default: DATABASE_URL)')
    .action(async (options: SyncOptions, command: Command) => {
      const config = loadConfig(['RABBITMQ_URL', 'DATABASE_URL'], process.env, options);
      const logger = cliLogger(command);
      const db = createDatabase({ url: config.DATABASE_URL, logger });
      try {
        await checkDatabase(db, config.DATABASE_URL).catch((error: Error) => {
          throw new CliErrors.databaseUnavailable(
            error.message.replace('DATABASE_URL', 'DATABASE_URL (or --database-url)'),
            { cause: error },
          );
        });
        const broker = await connectBroker(config.RABBITMQ_URL, 'topology-sync', logger);
        try {
          const result = await syncTopology({ db, amqp: broker.amqp, logger }).catch((error: unknown) => {
            throw explainBrokerError(error, {
              user: broker.user,
              vhost: broker.vhost,
              doing: 'declare the session topology',
              permission: { exchange: 'configure' },
              hints: { permission: "Run it as a user with chat-api's permissions." },
            });
          });
          console.log(
            `declared ${result.sessions} session exchange${result.sessions === 1 ? '' : 's'} and ${result.memberBindings} member binding${result.memberBindings === 1 ? '' : 's'}`,
          );
        } finally {
          await broker.amqp.close();
        }
      } finally {
        await db.destroy();
      }
    });
  return new Command('topology').summary("the broker's session topology").addCommand(sync);
}
