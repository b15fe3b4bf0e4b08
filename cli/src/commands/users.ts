import { randomBytes } from 'node:crypto';
import { amqpUsers, limits, ManagementApiError, ManagementClient, permissions, userLimits } from '@warren/shared';
import { Command } from 'commander';
import { loadConfig, vhostOf } from '../config.ts';
import { CliError, explainManagementError } from '../errors.ts';

interface AddBotOptions {
  json?: boolean;
  url?: string;
  managementUrl?: string;
}

/** Names a bot may never take: the deployment's users and RabbitMQ's default one. */
const RESERVED = new Set<string>([...amqpUsers, 'admin', 'guest']);

/**
 * Creates a producer user through the management API: the `bot` permissions (write to session
 * exchanges only) in the vhost of RABBITMQ_URL, and the `bot` connection and channel limits. It
 * never changes a user that exists (that would reset its password), and refuses the names of
 * trusted publishers, whose author headers the consumers believe.
 * @returns the new user's password, made here and shown once.
 */
async function addBot(
  management: ManagementClient,
  name: string,
  vhost: string,
  trusted: readonly string[],
): Promise<string> {
  if (RESERVED.has(name) || trusted.includes(name)) {
    throw new CliError(`'${name}' is the name of a Warren service or trusted publisher; choose another.`);
  }
  if (!limits.username.pattern.test(name)) {
    throw new CliError(
      `a bot's name is 3 to 32 of A-Z a-z 0-9 _ . - (it is shown as the author of its messages); got '${name}'.`,
    );
  }
  const call = async <T>(doing: string, request: () => Promise<T>): Promise<T> => {
    try {
      return await request();
    } catch (error) {
      throw explainManagementError(error, doing);
    }
  };
  const exists = async (path: string): Promise<boolean> => {
    try {
      await management.request('GET', path);
      return true;
    } catch (error) {
      if (error instanceof ManagementApiError && error.status === 404) return false;
      throw error;
    }
  };
  if (!(await call(`look up vhost '${vhost}'`, () => exists(`/vhosts/${encodeURIComponent(vhost)}`)))) {
    throw new CliError(`vhost '${vhost}' does not exist (the vhost is the path of RABBITMQ_URL or --url).`);
  }
  if (await call(`look up user '${name}'`, () => exists(`/users/${encodeURIComponent(name)}`))) {
    throw new CliError(`AMQP user '${name}' exists already; it is left as it is.`);
  }
  const password = randomBytes(24).toString('base64url');
  await call(`create user '${name}'`, () =>
    management.request('PUT', `/users/${encodeURIComponent(name)}`, { password, tags: '' }),
  );
  try {
    await call(`set the permissions of '${name}'`, () => management.setPermissions(vhost, name, permissions.bot));
    for (const [limit, value] of Object.entries(userLimits.bot)) {
      await call(`set ${limit} of '${name}'`, () =>
        management.request('PUT', `/user-limits/${encodeURIComponent(name)}/${limit}`, { value }),
      );
    }
  } catch (error) {
    // A user without its permissions or limits is not what was asked for: leave nothing behind.
    await management.deleteUser(name).catch(() => undefined);
    throw error;
  }
  return password;
}

/** `warren users add-bot`. */
export function usersCommand(): Command {
  const add = new Command('add-bot')
    .summary('create an AMQP producer user that may publish to session exchanges only')
    .description(
      'Creates AMQP user <name> through the management API (RABBITMQ_MANAGEMENT_URL, as a user tagged ' +
        "administrator) with the producer permissions of the deployment's example user bot: write to " +
        'warren.session.* and nothing else, in the vhost of RABBITMQ_URL, and its connection and channel ' +
        'limits. Prints the generated password once. Its messages show as from the bot <name>.',
    )
    .argument('<name>', "the user's name, shown as the author of its messages")
    .option('--json', 'print { name, vhost, password, url } as JSON')
    .option('--url <amqp-url>', 'broker URL whose vhost the user gets (default: RABBITMQ_URL)')
    .option(
      '--management-url <url>',
      'management API URL with administrator credentials (default: RABBITMQ_MANAGEMENT_URL)',
    )
    .action(async (name: string, options: AddBotOptions) => {
      const config = loadConfig(
        ['RABBITMQ_URL', 'RABBITMQ_MANAGEMENT_URL', 'TRUSTED_PUBLISHERS'],
        process.env,
        options,
      );
      const vhost = vhostOf(config.RABBITMQ_URL);
      const password = await addBot(
        new ManagementClient(config.RABBITMQ_MANAGEMENT_URL),
        name,
        vhost,
        config.TRUSTED_PUBLISHERS,
      );
      const url = new URL(config.RABBITMQ_URL);
      url.username = encodeURIComponent(name);
      url.password = password;
      url.search = '';
      if (options.json) {
        console.log(JSON.stringify({ name, vhost, password, url: url.toString() }));
        return;
      }
      const limitText = Object.entries(userLimits.bot)
        .map(([limit, value]) => `${limit} ${value}`)
        .join(', ');
      console.log(`created AMQP user ${name} in vhost ${vhost}`);
      console.log(`  may write to: ${permissions.bot.write} (nothing else); limits: ${limitText}`);
      console.log(`password (shown only now): ${password}`);
      console.log(`RABBITMQ_URL=${url.toString()}`);
    });
  return new Command('users').summary('AMQP users of the deployment').addCommand(add);
}
