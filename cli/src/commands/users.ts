import { randomBytes } from 'node:crypto';
import { amqpUsers, permissions, sessionsWritePattern, splitBrokerUrls, userLimits } from '@warren/shared/amqp';
import { canonicalUuid } from '@warren/shared/envelope';
import { limits } from '@warren/shared/limits';
import { ManagementApiError, ManagementClient } from '@warren/shared/management';
import { Command, Option } from 'commander';
import { loadConfig, vhostOf } from '../config.ts';
import { CliErrors, explainManagementError } from '../errors.ts';

/** The flags that say where a bot may publish. */
interface ScopeOptions {
  sessions?: string;
  allSessions?: boolean;
}

interface UserOptions extends ScopeOptions {
  json?: boolean;
  url?: string;
  managementUrl?: string;
}

/** Where a bot may publish: every session, or exactly some (none at all when the list is empty). */
type SessionScope = { readonly all: true } | { readonly all: false; readonly ids: readonly string[] };

/** Names a bot may never take: the deployment's users and RabbitMQ's default one. */
const RESERVED = new Set<string>([...amqpUsers, 'admin', 'guest']);

/**
 * The scope the flags give. Neither flag is a usage error: a bot that may write to every session,
 * private and direct ones included, is a choice an operator makes explicitly, never a default.
 */
function scopeOf(options: ScopeOptions, command: Command): SessionScope {
  if (options.allSessions) return { all: true };
  if (options.sessions === undefined) {
    command.error(
      "error: say where the bot may publish: --sessions <id>,… (only those sessions; '' for none) or --all-sessions",
    );
  }
  const given = options.sessions
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id !== '');
  const bad = given.filter((id) => canonicalUuid(id) === null);
  if (bad.length > 0) {
    throw new CliErrors.invalidArgument(
      `--sessions takes session ids (UUIDs) separated by commas; not one: ${bad.join(', ')}`,
    );
  }
  return { all: false, ids: [...new Set(given.map((id) => canonicalUuid(id) ?? id))] };
}

/** The `write` permission of a bot with this scope. */
const writeOf = (scope: SessionScope): string => (scope.all ? permissions.bot.write : sessionsWritePattern(scope.ids));

/** The scope in words, for the command's output. */
function scopeText(scope: SessionScope): string {
  if (scope.all) return 'every session';
  if (scope.ids.length === 0) return 'no session';
  return `${scope.ids.length === 1 ? 'session' : 'sessions'} ${scope.ids.join(', ')}`;
}

/** The scope as `--json` prints it: the session ids, or `"all"`. */
const scopeJson = (scope: SessionScope): readonly string[] | 'all' => (scope.all ? 'all' : scope.ids);

/** A management call whose failure is explained in one sentence saying what was being done. */
async function call<T>(doing: string, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    throw explainManagementError(error, doing);
  }
}

/** Whether the management API has the resource at `path`. */
async function exists(management: ManagementClient, path: string): Promise<boolean> {
  try {
    await management.request('GET', path);
    return true;
  } catch (error) {
    if (error instanceof ManagementApiError && error.status === 404) return false;
    throw error;
  }
}

/** Refuses the names of the deployment's users and trusted publishers. */
function refuseReserved(name: string, trusted: readonly string[]): void {
  if (RESERVED.has(name) || trusted.includes(name)) {
    throw new CliErrors.reservedName(`'${name}' is the name of a Warren service or trusted publisher; choose another.`);
  }
}

/**
 * Refuses the names of the deployment's users and trusted publishers (whose author headers the
 * consumers believe), and a vhost that does not exist.
 */
async function checkBot(management: ManagementClient, name: string, vhost: string, trusted: readonly string[]) {
  refuseReserved(name, trusted);
  if (!(await call(`look up vhost '${vhost}'`, () => exists(management, `/vhosts/${encodeURIComponent(vhost)}`)))) {
    throw new CliErrors.notFound(`vhost '${vhost}' does not exist (the vhost is the path of RABBITMQ_URL or --url).`);
  }
}

/**
 * Creates a producer user through the management API: the `bot` permissions with `write` narrowed
 * to `scope`, in the vhost of RABBITMQ_URL, and the `bot` connection and channel limits. It never
 * changes a user that exists (that would reset its password).
 * @returns the new user's password, made here and shown once.
 */
async function addBot(
  management: ManagementClient,
  name: string,
  vhost: string,
  trusted: readonly string[],
  scope: SessionScope,
): Promise<string> {
  refuseReserved(name, trusted);
  if (!limits.username.pattern.test(name)) {
    throw new CliErrors.invalidArgument(
      `a bot's name is 3 to 32 of A-Z a-z 0-9 _ . - (it is shown as the author of its messages); got '${name}'.`,
    );
  }
  await checkBot(management, name, vhost, trusted);
  if (await call(`look up user '${name}'`, () => exists(management, `/users/${encodeURIComponent(name)}`))) {
    throw new CliErrors.userExists(`AMQP user '${name}' exists already; it is left as it is.`);
  }
  const password = randomBytes(24).toString('base64url');
  await call(`create user '${name}'`, () =>
    management.request('PUT', `/users/${encodeURIComponent(name)}`, { password, tags: '' }),
  );
  try {
    await call(`set the permissions of '${name}'`, () =>
      management.setPermissions(vhost, name, { ...permissions.bot, write: writeOf(scope) }),
    );
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

/**
 * Sets where an existing bot may publish, then closes its open connections in the vhost: RabbitMQ
 * caches permission checks per channel, so a bot that stays connected would keep what it had.
 * @returns how many connections were closed.
 */
async function setSessions(
  management: ManagementClient,
  name: string,
  vhost: string,
  trusted: readonly string[],
  scope: SessionScope,
): Promise<number> {
  await checkBot(management, name, vhost, trusted);
  if (!(await call(`look up user '${name}'`, () => exists(management, `/users/${encodeURIComponent(name)}`)))) {
    throw new CliErrors.notFound(`there is no AMQP user '${name}'; create it with warren users add-bot.`);
  }
  await call(`set the permissions of '${name}'`, () =>
    management.setPermissions(vhost, name, { ...permissions.bot, write: writeOf(scope) }),
  );
  const open = await call(`list the connections of vhost '${vhost}'`, () => management.connections(vhost));
  const its = open.filter((connection) => connection.user === name);
  for (const connection of its) {
    await call(`close connection '${connection.name}'`, () =>
      management.closeConnection(connection.name, 'its permissions changed (warren users set-sessions)'),
    );
  }
  return its.length;
}

/**
 * A `users` subcommand on one bot: the options they share, and `run` given the bot's name, what
 * {@link botTargetOf} makes of the options, and the options.
 */
function botCommand(
  command: Command,
  run: (name: string, target: BotTarget, options: UserOptions) => Promise<void>,
): Command {
  return command
    .option('--sessions <ids>', "session ids separated by commas: the only sessions it may publish to ('' for none)")
    .addOption(
      new Option('--all-sessions', 'let it publish to every session, private and direct ones included').conflicts(
        'sessions',
      ),
    )
    .option('--json', 'print the result as JSON')
    .option('--url <amqp-url>', 'broker URL whose vhost the user is in (default: RABBITMQ_URL)')
    .option(
      '--management-url <url>',
      'management API URL with administrator credentials (default: RABBITMQ_MANAGEMENT_URL)',
    )
    .addHelpText(
      'after',
      '\nOne of --sessions and --all-sessions is required: a bot writes everywhere only when told so.\n' +
        'The broker refuses its publishes to any other session (ACCESS_REFUSED; the channel closes).',
    )
    .action((name: string, options: UserOptions, self: Command) => run(name, botTargetOf(options, self), options));
}

/** The scope and the deployment a bot's subcommand acts on. */
type BotTarget = ReturnType<typeof botTargetOf>;

/** What add-bot and set-sessions act with: the scope the flags give, and the deployment the configuration names. */
function botTargetOf(options: UserOptions, command: Command) {
  const scope = scopeOf(options, command);
  const config = loadConfig(['RABBITMQ_URL', 'RABBITMQ_MANAGEMENT_URL', 'TRUSTED_PUBLISHERS'], process.env, options);
  return {
    scope,
    rabbitmqUrl: config.RABBITMQ_URL,
    vhost: vhostOf(config.RABBITMQ_URL),
    trusted: config.TRUSTED_PUBLISHERS,
    management: new ManagementClient(config.RABBITMQ_MANAGEMENT_URL),
  };
}

/** `warren users add-bot` and `warren users set-sessions`. */
export function usersCommand(): Command {
  const add = botCommand(
    new Command('add-bot')
      .summary('create an AMQP producer user that may publish to the sessions given only')
      .description(
        'Creates AMQP user <name> through the management API (RABBITMQ_MANAGEMENT_URL, as a user tagged ' +
          'administrator) with the producer permissions of a bot: write to the exchanges of the sessions of ' +
          '--sessions (or of every session with --all-sessions) and nothing else, in the vhost of ' +
          'RABBITMQ_URL, and its connection and channel limits. Prints the generated password once. Its ' +
          'messages show as from the bot <name>. Change its sessions later with warren users set-sessions.',
      )
      .argument('<name>', "the user's name, shown as the author of its messages"),
    async (name, { scope, rabbitmqUrl, vhost, trusted, management }, options) => {
      const password = await addBot(management, name, vhost, trusted, scope);
      // Every node of a cluster's list, with the bot's credentials.
      const url = splitBrokerUrls(rabbitmqUrl)
        .map((node) => {
          const each = new URL(node);
          each.username = encodeURIComponent(name);
          each.password = password;
          each.search = '';
          return each.toString();
        })
        .join(',');
      if (options.json) {
        console.log(JSON.stringify({ name, vhost, password, url, sessions: scopeJson(scope) }));
        return;
      }
      const limitText = Object.entries(userLimits.bot)
        .map(([limit, value]) => `${limit} ${value}`)
        .join(', ');
      console.log(`created AMQP user ${name} in vhost ${vhost}`);
      console.log(
        `  may publish to: ${scopeText(scope)} (write ${writeOf(scope)}; nothing else); limits: ${limitText}`,
      );
      console.log(`password (shown only now): ${password}`);
      console.log(`RABBITMQ_URL=${url}`);
    },
  );
  const set = botCommand(
    new Command('set-sessions')
      .summary('change the sessions an AMQP producer user may publish to')
      .description(
        'Sets the write permission of AMQP user <name> in the vhost of RABBITMQ_URL to the exchanges of the ' +
          'sessions of --sessions (or of every session with --all-sessions), with nothing to configure or ' +
          'read, then closes its open connections so the change applies at once (RabbitMQ caches ' +
          'permission checks per channel); a producer reconnects. Its password and limits stay as they are.',
      )
      .argument('<name>', 'the AMQP user, made with warren users add-bot'),
    async (name, { scope, vhost, trusted, management }, options) => {
      const closed = await setSessions(management, name, vhost, trusted, scope);
      if (options.json) {
        console.log(JSON.stringify({ name, vhost, sessions: scopeJson(scope), closed_connections: closed }));
        return;
      }
      console.log(`AMQP user ${name} in vhost ${vhost} may publish to: ${scopeText(scope)} (write ${writeOf(scope)})`);
      console.log(`  closed ${closed} open connection${closed === 1 ? '' : 's'} of ${name}, so the change applies now`);
    },
  );
  return new Command('users').summary('AMQP users of the deployment').addCommand(add).addCommand(set);
}
