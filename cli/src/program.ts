import { Command } from 'commander';
import { deadLettersCommand } from './commands/dead-letters.ts';
import { sendCommand } from './commands/send.ts';
import { sessionsCommand } from './commands/sessions.ts';
import { tailCommand } from './commands/tail.ts';
import { topologyCommand } from './commands/topology.ts';
import { usersCommand } from './commands/users.ts';

/**
 * The `warren` command line. Every command has `--help`; configuration comes from the environment
 * (RABBITMQ_URL, RABBITMQ_MANAGEMENT_URL, DATABASE_URL, TRUSTED_PUBLISHERS) with a flag for each URL.
 */
export function createProgram(): Command {
  const program = new Command('warren')
    .description(
      "Warren's command line for producers, operators and scripts: publish to and watch chat sessions over " +
        'AMQP, inspect and requeue dead letters, rebuild the session topology, create producer users. ' +
        'See docs/amqp.md and docs/operations.md.',
    )
    .option('--verbose', "log the broker and database clients' own messages on stderr")
    .addHelpText(
      'after',
      '\nEnvironment: RABBITMQ_URL, RABBITMQ_MANAGEMENT_URL, DATABASE_URL, TRUSTED_PUBLISHERS\n' +
        '(docs/configuration.md); --url, --management-url and --database-url override them.',
    );
  for (const command of [
    sendCommand(),
    sessionsCommand(),
    tailCommand(),
    deadLettersCommand(),
    topologyCommand(),
    usersCommand(),
  ]) {
    program.addCommand(command);
  }
  // addCommand does not pass settings down, unlike .command(): a usage error anywhere points at --help.
  const pointToHelp = (command: Command): void => {
    command.showHelpAfterError('(run with --help for usage)');
    for (const sub of command.commands) pointToHelp(sub);
  };
  pointToHelp(program);
  return program;
}
