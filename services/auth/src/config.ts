import { parseEnv, portVariable, variables } from '@warren/shared/config';
import { z } from 'zod';

/**
 * Every environment variable the auth service reads, keyed by name (docs/configuration.md lists
 * them). Exported so the deployment test can check docker-compose.yml sets each one.
 */
export const configShape = {
  PORT: portVariable(3001),
  HOST: variables.HOST,
  LOG_LEVEL: variables.LOG_LEVEL,
  RABBITMQ_URL: variables.RABBITMQ_URL,
  DATABASE_URL: variables.DATABASE_URL,
  JWT_ISSUER: variables.JWT_ISSUER,
  JWT_AUDIENCE: variables.JWT_AUDIENCE,
  SHUTDOWN_TIMEOUT_MS: variables.SHUTDOWN_TIMEOUT_MS,
  TRUST_PROXY: variables.TRUST_PROXY,
  /** PEM file of the signing key (PKCS#8, EC P-256 or RSA). Unset: made on first start in DATA_DIR. */
  JWT_PRIVATE_KEY_FILE: z.string().min(1).optional(),
  /** Where a generated signing key is kept. */
  DATA_DIR: z.string().min(1).default('.data/auth'),
  /** Access token lifetime in seconds (HTTP.md: 15 minutes). */
  ACCESS_TOKEN_TTL_SEC: z.coerce.number().int().min(30).max(86_400).default(900),
  /** Refresh token lifetime in seconds (HTTP.md: 30 days). */
  REFRESH_TOKEN_TTL_SEC: z.coerce
    .number()
    .int()
    .min(60)
    .default(30 * 86_400),
  /** bcrypt cost factor. */
  BCRYPT_COST: z.coerce.number().int().min(4).max(15).default(12),
  /** Failed logins allowed per username within LOGIN_WINDOW_SEC. */
  LOGIN_MAX_FAILURES_PER_USERNAME: z.coerce.number().int().min(1).default(10),
  /** Login attempts allowed per client address within LOGIN_WINDOW_SEC. */
  LOGIN_MAX_ATTEMPTS_PER_ADDRESS: z.coerce.number().int().min(1).default(100),
  /** The login rate-limit window in seconds. */
  LOGIN_WINDOW_SEC: z.coerce.number().int().min(1).default(900),
  /** Registrations allowed per client address within REGISTER_WINDOW_SEC (each costs a bcrypt hash). */
  REGISTER_MAX_PER_ADDRESS: z.coerce.number().int().min(1).default(5),
  /** The registration rate-limit window in seconds. */
  REGISTER_WINDOW_SEC: z.coerce.number().int().min(1).default(600),
};

/** The auth service's configuration. */
export type AuthConfig = ReturnType<typeof loadConfig>;

/** Parses the auth service's configuration from an environment (process.env at start). */
export function loadConfig(env: Readonly<Record<string, string | undefined>>) {
  return parseEnv(configShape, env);
}
