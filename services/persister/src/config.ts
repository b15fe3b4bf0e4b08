import { ConfigError, parseEnv, portVariable, variables } from '@warren/shared/config';
import { z } from 'zod';

/**
 * Every environment variable the persister reads, keyed by name (docs/persister.md lists them).
 * Exported so the deployment test can check docker-compose.yml sets each one.
 */
export const configShape = {
  PORT: portVariable(3004),
  HOST: variables.HOST,
  LOG_LEVEL: variables.LOG_LEVEL,
  /** The persister's AMQP user: it may read `warren.persister` and write `warren.dead`, nothing else. */
  RABBITMQ_URL: variables.RABBITMQ_URL,
  DATABASE_URL: variables.DATABASE_URL,
  TRUSTED_PUBLISHERS: variables.TRUSTED_PUBLISHERS,
  SHUTDOWN_TIMEOUT_MS: variables.SHUTDOWN_TIMEOUT_MS,
  /**
   * A batch closes when it holds this many messages. The upper bound keeps one multi-row insert
   * (9 parameters a row) under PostgreSQL's 65,535 bind parameters.
   */
  BATCH_SIZE: z.coerce.number().int().min(1).max(5000).default(200),
  /** …or this many milliseconds after its first message arrived, whichever comes first. */
  BATCH_MAX_WAIT_MS: z.coerce.number().int().min(0).max(60_000).default(50),
  /**
   * Unacknowledged deliveries the broker may send ahead. At least BATCH_SIZE, or a batch could never
   * fill. The next batch must be able to fill while one is being written, and the changes (edits,
   * deletes, reactions) that come with a batch's messages do not count toward BATCH_SIZE: four times
   * BATCH_SIZE leaves room for a change per message. At twice (400), one change per ten messages
   * starved every batch and cost 15 % of the rate (docs/performance.md).
   */
  PREFETCH: z.coerce.number().int().min(1).max(65_535).default(800),
  /** First pause before retrying a batch whose transaction failed (PostgreSQL unreachable). */
  STORE_RETRY_INITIAL_MS: z.coerce.number().int().min(1).max(60_000).default(100),
  /** Longest pause between retries; the pause doubles from STORE_RETRY_INITIAL_MS up to this. */
  STORE_RETRY_MAX_MS: z.coerce.number().int().min(1).max(300_000).default(5000),
};

/** The persister's configuration. */
export type PersisterConfig = ReturnType<typeof loadConfig>;

/**
 * Parses the persister's configuration from an environment (process.env at start).
 * @throws ConfigError naming every bad variable, including a PREFETCH below BATCH_SIZE.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>) {
  const config = parseEnv(configShape, env);
  const problems: { variable: string; message: string }[] = [];
  if (config.PREFETCH < config.BATCH_SIZE) {
    problems.push({ variable: 'PREFETCH', message: `must be at least BATCH_SIZE (${config.BATCH_SIZE})` });
  }
  if (config.STORE_RETRY_MAX_MS < config.STORE_RETRY_INITIAL_MS) {
    problems.push({
      variable: 'STORE_RETRY_MAX_MS',
      message: `must be at least STORE_RETRY_INITIAL_MS (${config.STORE_RETRY_INITIAL_MS})`,
    });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
