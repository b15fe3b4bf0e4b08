import { z } from 'zod';
import type { AmqpUser } from '../amqp/topology.ts';
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
  /**
   * The run's own AMQP users, one per deployment user (`auth`, `chat-api`, …, `bot`), named
   * `<user>-<run id>` and holding exactly that user's permissions from topology.ts in the run's vhost.
   */
  users: Readonly<Record<AmqpUser, TestAmqpUser>>;
}

/** One of the run's AMQP users. */
export interface TestAmqpUser {
  /** Its name (what the broker puts in `user_id`). */
  name: string;
  /** AMQP URL of the run's vhost with this user's credentials. */
  url: string;
}

const shape = {
  WARREN_TEST_RABBITMQ_URL: z.string().url(),
  WARREN_TEST_VHOST: z.string().min(1),
  WARREN_TEST_MANAGEMENT_URL: z.string().url(),
  WARREN_TEST_DATABASE_URL: z.string().url(),
  WARREN_TEST_LOG_LEVEL: z.string().default('silent'),
  WARREN_TEST_AMQP_USERS: z.string().transform((value, ctx) => {
    try {
      return JSON.parse(value) as Record<AmqpUser, TestAmqpUser>;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be JSON' });
      return z.NEVER;
    }
  }),
};

let cached: TestConfig | undefined;

/**
 * The current run's test configuration.
 * @throws when the tests were not started by `npm test` (which makes the vhost and database), or are
 *   in its unit tier (files not named `*.integration.test.ts`).
 */
export function testConfig(): TestConfig {
  if (cached) return cached;
  // `npm test` runs `*.test.ts` files as the unit tier with this set and no broker or database.
  if (parseEnv({ WARREN_TEST_TIER: z.enum(['unit']).optional() }, process.env).WARREN_TEST_TIER === 'unit') {
    throw new Error('a unit test (*.test.ts) may not use the broker or database: name the file *.integration.test.ts');
  }
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
    users: env.WARREN_TEST_AMQP_USERS,
  };
  return cached;
}
