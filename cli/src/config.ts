import { splitBrokerUrls, userOfUrl, vhostOfUrl } from '@warren/shared/amqp';
import { ConfigError, parseEnv, variables } from '@warren/shared/config';
import type { z } from 'zod';
import { CliErrors } from './errors.ts';

/**
 * Every environment variable the CLI reads, with the services' meanings and defaults
 * (docs/configuration.md). Each command parses only the ones it uses, so a bad `DATABASE_URL` does
 * not stop `warren send`.
 */
export const configShape = {
  /** Broker and vhost; the URL's user is who the CLI connects (and publishes) as. */
  RABBITMQ_URL: variables.RABBITMQ_URL,
  /** Management HTTP API, as a user tagged `administrator` (users add-bot). */
  RABBITMQ_MANAGEMENT_URL: variables.RABBITMQ_MANAGEMENT_URL,
  /** PostgreSQL, read by `sessions` (read-only) and `topology sync`. */
  DATABASE_URL: variables.DATABASE_URL,
  /** AMQP users whose author headers `tail` believes, as the services do. */
  TRUSTED_PUBLISHERS: variables.TRUSTED_PUBLISHERS,
};

/** A variable of {@link configShape}. */
export type ConfigVariable = keyof typeof configShape;

/** The parsed value of every variable of {@link configShape}. */
export type CliConfig = { [K in ConfigVariable]: z.output<(typeof configShape)[K]> };

/** Command-line flags that stand in for a variable. */
export interface ConfigFlags {
  /** `--url`: RABBITMQ_URL. */
  url?: string;
  /** `--management-url`: RABBITMQ_MANAGEMENT_URL. */
  managementUrl?: string;
  /** `--database-url`: DATABASE_URL. */
  databaseUrl?: string;
}

const flagNames: Partial<Record<ConfigVariable, string>> = {
  RABBITMQ_URL: '--url',
  RABBITMQ_MANAGEMENT_URL: '--management-url',
  DATABASE_URL: '--database-url',
};

/**
 * Parses the variables a command uses from the environment, a flag winning over its variable.
 * @throws CliError naming each bad variable and the flag that sets it; the bad value is not
 * echoed, since a URL may hold a password.
 */
export function loadConfig<K extends ConfigVariable>(
  keys: readonly K[],
  env: Readonly<Record<string, string | undefined>>,
  flags: ConfigFlags = {},
): Pick<CliConfig, K> {
  const merged: Record<string, string | undefined> = { ...env };
  if (flags.url !== undefined) merged.RABBITMQ_URL = flags.url;
  if (flags.managementUrl !== undefined) merged.RABBITMQ_MANAGEMENT_URL = flags.managementUrl;
  if (flags.databaseUrl !== undefined) merged.DATABASE_URL = flags.databaseUrl;
  const shape = Object.fromEntries(keys.map((key) => [key, configShape[key]])) as Pick<typeof configShape, K>;
  try {
    return parseEnv(shape, merged) as Pick<CliConfig, K>;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const lines = error.problems.map(({ variable, message }) => {
      const flag = flagNames[variable as ConfigVariable];
      return `${variable}${flag ? ` (or ${flag})` : ''}: ${message}`;
    });
    throw new CliErrors.invalidConfig(`invalid configuration:\n  ${lines.join('\n  ')}`, { cause: error });
  }
}

/**
 * The vhost of a broker URL (its path), as RabbitMQ reads it: `/` when the path is empty. Of a list
 * of cluster nodes, the first's (the list is checked to name one vhost).
 */
export function vhostOf(url: string): string {
  return vhostOfUrl(new URL(firstNode(url)));
}

/** The user of a broker URL, as RabbitMQ reads it: `guest` when the URL names none. Of a list, the first's. */
export function userOf(url: string): string {
  return userOfUrl(new URL(firstNode(url)));
}

function firstNode(url: string): string {
  return splitBrokerUrls(url)[0] ?? url;
}
