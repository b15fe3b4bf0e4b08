import { z } from 'zod';
import { parseEnv } from '../config/parse-env.ts';

/**
 * Where the current test run's isolated broker vhost and database are. `npm test` creates both,
 * sets these variables, and removes both at the end (OPERATIONS.md "Tests").
 */
export interface TestConfig {
  /** AMQP URL of the run's own vhost, as an administrator of it. */
  rabbitmqUrl: string;
  /** The run's vhost. */
  vhost: string;
  /** Management API URL. */
  managementUrl: string;
  /** URL of the run's own database. */
  databaseUrl: string;
  /** Level of the services' logs during tests. */
  logLevel: string;
}

const shape = {
  WARREN_TEST_RABBITMQ_URL: z.string().url(),
  WARREN_TEST_VHOST: z.string().min(1),
  WARREN_TEST_MANAGEMENT_URL: z.string().url(),
  WARREN_TEST_DATABASE_URL: z.string().url(),
  WARREN_TEST_LOG_LEVEL: z.string().default('silent'),
};

let cached: TestConfig | undefined;

/**
 * The current run's test configuration.
 * @throws when the tests were not started by `npm test` (which makes the vhost and database).
 */
export function testConfig(): TestConfig {
  if (cached) return cached;
  let env: z.infer<z.ZodObject<typeof shape>>;
  try {
    env = parseEnv(shape, process.env);
  } catch (error) {
    throw new Error(
      'integration tests need the vhost and database that `npm test` makes: run them with `npm test [-- files…]`',
      {
        cause: error,
      },
    );
  }
  cached = {
    rabbitmqUrl: env.WARREN_TEST_RABBITMQ_URL,
    vhost: env.WARREN_TEST_VHOST,
    managementUrl: env.WARREN_TEST_MANAGEMENT_URL,
    databaseUrl: env.WARREN_TEST_DATABASE_URL,
    logLevel: env.WARREN_TEST_LOG_LEVEL,
  };
  return cached;
}
