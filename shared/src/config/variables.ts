import { isIP } from 'node:net';
import { z } from 'zod';
import { brokerUrlsProblem } from '../amqp/broker-urls.ts';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const url = (protocols: readonly string[], fallback: string) =>
  z
    .string()
    .default(fallback)
    .refine(
      (value) => {
        try {
          return protocols.includes(new URL(value).protocol);
        } catch {
          return false;
        }
      },
      { message: `must be a URL with scheme ${protocols.join(' or ')}` },
    );

const port = (fallback: number) => z.coerce.number().int().min(0).max(65_535).default(fallback);

/** A comma-separated list variable; blanks are dropped. */
export const list = (fallback: readonly string[]) =>
  z
    .string()
    .default(fallback.join(','))
    .transform((value) =>
      value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean),
    );

/**
 * The variables of OPERATIONS.md, with its defaults. Each service picks the ones it uses and adds
 * its own; the same variable always has the same meaning and default.
 */
export const variables = {
  /**
   * Broker URL, vhost included, or the nodes of a cluster as a comma-separated list of such URLs
   * with one user and one vhost (OPERATIONS.md); kept as written, read by `AmqpClient`.
   */
  RABBITMQ_URL: z
    .string()
    .default('amqp://guest:guest@127.0.0.1:5672/')
    .superRefine((value, context) => {
      const problem = brokerUrlsProblem(value);
      if (problem) context.addIssue({ code: 'custom', message: problem });
    }),
  /** RabbitMQ management HTTP API (operators' tools and tests). */
  RABBITMQ_MANAGEMENT_URL: url(['http:', 'https:'], 'http://guest:guest@127.0.0.1:15672/'),
  /** PostgreSQL URL. */
  DATABASE_URL: url(['postgres:', 'postgresql:'], 'postgres://postgres@127.0.0.1:5432/warren'),
  /** The auth service, whose JWKS verifies access tokens. */
  AUTH_URL: url(['http:', 'https:'], 'http://127.0.0.1:3001'),
  /** pino level. */
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  /** `iss` of access tokens. */
  JWT_ISSUER: z.string().min(1).default('warren-auth'),
  /** `aud` of access tokens. */
  JWT_AUDIENCE: z.string().min(1).default('warren'),
  /** AMQP users whose author headers are believed (AMQP.md). */
  TRUSTED_PUBLISHERS: list(['chat-api']),
  /** How long a service may take to stop after SIGTERM before it exits anyway. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  /**
   * The address a service's HTTP server listens on: loopback, so a development machine exposes
   * nothing, unless a deployment opens it (docker-compose.yml sets 0.0.0.0 in every container).
   */
  HOST: z
    .string()
    .default('127.0.0.1')
    .refine((value) => isIP(value) !== 0, { message: 'must be an IP address, e.g. 127.0.0.1 or 0.0.0.0' }),
  /** Express `trust proxy`: hops of reverse proxies whose X-Forwarded-For is believed. */
  TRUST_PROXY: z.coerce.number().int().min(0).max(10).default(0),
} as const;

/** The PORT variable with a service's own default (OPERATIONS.md: 3001 to 3004). */
export const portVariable = port;
