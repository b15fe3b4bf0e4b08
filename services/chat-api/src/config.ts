import { parseEnv, portVariable, variables } from '@warren/shared/config';
import { z } from 'zod';

const positiveInt = (fallback: number, max: number) => z.coerce.number().int().min(1).max(max).default(fallback);

/**
 * Every environment variable chat-api reads, keyed by name (docs/chat-api.md lists them). Exported
 * so the deployment test can check docker-compose.yml sets each one.
 */
export const configShape = {
  PORT: portVariable(3002),
  HOST: variables.HOST,
  LOG_LEVEL: variables.LOG_LEVEL,
  RABBITMQ_URL: variables.RABBITMQ_URL,
  DATABASE_URL: variables.DATABASE_URL,
  AUTH_URL: variables.AUTH_URL,
  JWT_ISSUER: variables.JWT_ISSUER,
  JWT_AUDIENCE: variables.JWT_AUDIENCE,
  SHUTDOWN_TIMEOUT_MS: variables.SHUTDOWN_TIMEOUT_MS,
  TRUST_PROXY: variables.TRUST_PROXY,
  /** Messages a user may post per second, sustained (HTTP.md: 20). */
  POST_RATE_PER_SEC: positiveInt(20, 10_000),
  /** Messages a user may post at once after being quiet: the bucket's size. */
  POST_BURST: positiveInt(40, 100_000),
  /** At most one `typing` event per user and session this often (HTTP.md: 2 s). */
  TYPING_INTERVAL_MS: positiveInt(2000, 60_000),
  /** The `expiration` of a `typing` event: the broker drops it undelivered after this long. */
  TYPING_EXPIRATION_MS: positiveInt(5000, 60_000),
  /** How long a publish may wait for the broker's confirm before the request answers 503. */
  CONFIRM_TIMEOUT_MS: positiveInt(5000, 60_000),
  /** Unacknowledged `user.registered` deliveries chat-api takes at once from its users queue. */
  USERS_PREFETCH: positiveInt(32, 1000),
  /** How long a `user.registered` that could not be stored (PostgreSQL away) waits before its requeue. */
  USERS_RETRY_MS: positiveInt(5000, 600_000),
  /** Memberships remembered so a post by a known member needs no query (about 150 bytes each). */
  MEMBERSHIP_CACHE_SIZE: positiveInt(100_000, 10_000_000),
  /**
   * How long a remembered membership is believed before PostgreSQL is asked again: the bound on a
   * stale one should a `membership.changed` event be lost (its publish not confirmed).
   */
  MEMBERSHIP_CACHE_TTL_MS: positiveInt(60_000, 3_600_000),
  /** The AMQP user auth publishes as: only its `login.ended` events are believed. */
  AUTH_AMQP_USER: z.string().min(1).default('auth'),
  /** The AMQP user the ws-gateway publishes as: only its presence reports are believed. */
  GATEWAY_AMQP_USER: z.string().min(1).default('ws-gateway'),
  /**
   * Ended logins the deny list holds (about 100 bytes each); at the bound the oldest heard is
   * dropped, so its tokens are admitted again until they expire.
   */
  DENY_LIST_SIZE: positiveInt(100_000, 10_000_000),
  /** An ended login is kept this much longer than its last token could live: clocks differ. */
  DENY_LIST_SKEW_MS: positiveInt(30_000, 3_600_000),
  /** How long a user held by no gateway stays online: a reconnect quicker than this flips nothing (HTTP.md: 5 s). */
  PRESENCE_OFFLINE_DELAY_MS: positiveInt(5000, 600_000),
  /** A gateway instance not heard for 2 × its heartbeat plus this is dead, and its users go offline. */
  PRESENCE_GATEWAY_GRACE_MS: positiveInt(2000, 600_000),
  /**
   * After a start or a reconnect of the instance queue, how long nobody is flipped offline: every
   * live gateway must have sent a heartbeat first (two of the default 10 s).
   */
  PRESENCE_WARMUP_MS: positiveInt(20_000, 600_000),
  /** Sessions with more members than this get no `presence` events: fan-out is the expensive part. */
  PRESENCE_FANOUT_MAX_MEMBERS: positiveInt(1000, 100_000),
};

/** chat-api's configuration. */
export type ChatApiConfig = ReturnType<typeof loadConfig>;

/** Parses chat-api's configuration from an environment (process.env at start). */
export function loadConfig(env: Readonly<Record<string, string | undefined>>) {
  return parseEnv(configShape, env);
}
