import { testConfig } from './test-config.ts';

/** The services {@link serviceEnv} configures. */
export type TestedService = 'auth' | 'chat-api' | 'persister' | 'ws-gateway';

/**
 * The variables a service starts with in the test run, so that every test starts it the same way:
 * a free port, the service's own AMQP user (its real permissions apply), the run's database where
 * it has one, the run's `chat-api` user trusted where messages are decoded (and its `auth` and
 * `ws-gateway` users where chat-api reads their events), and for auth a fast
 * bcrypt and a registration limit no test reaches (every test registers from 127.0.0.1; a test of
 * the limit sets its own). `env` overrides any of it; AUTH_URL and DATA_DIR are the caller's.
 */
export function serviceEnv(service: TestedService, env: Record<string, string> = {}): Record<string, string> {
  const test = testConfig();
  const database = { DATABASE_URL: test.databaseUrl };
  const trusted = { TRUSTED_PUBLISHERS: test.users['chat-api'].name };
  const own = {
    auth: { ...database, BCRYPT_COST: '4', REGISTER_MAX_PER_ADDRESS: '100000' },
    // Auth's login.ended and the gateways' presence reports are believed only from these users.
    'chat-api': {
      ...database,
      AUTH_AMQP_USER: test.users.auth.name,
      GATEWAY_AMQP_USER: test.users['ws-gateway'].name,
    },
    persister: { ...database, ...trusted },
    'ws-gateway': { ...trusted, AUTH_AMQP_USER: test.users.auth.name },
  }[service];
  return { PORT: '0', RABBITMQ_URL: test.users[service].url, ...own, ...env };
}
