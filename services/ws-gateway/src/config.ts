import { list, parseEnv, portVariable, variables } from '@warren/shared/config';
import { z } from 'zod';

/** Where browsers load the web client from on a development machine: compose's nginx, and Vite. */
export const DEFAULT_ALLOWED_ORIGINS: readonly string[] = [
  'http://localhost:8080',
  'http://127.0.0.1:8080',
  'http://localhost:5173',
  'http://127.0.0.1:5173',
];

/** A serialized origin (`scheme://host[:port]`, as browsers send it in `Origin`). */
const isOrigin = (value: string): boolean => {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value;
  } catch {
    return false;
  }
};

/**
 * Every environment variable the ws-gateway reads, keyed by name (docs/ws-gateway.md lists them).
 * Exported so the deployment test can check docker-compose.yml sets each one.
 */
export const configShape = {
  PORT: portVariable(3003),
  HOST: variables.HOST,
  LOG_LEVEL: variables.LOG_LEVEL,
  RABBITMQ_URL: variables.RABBITMQ_URL,
  AUTH_URL: variables.AUTH_URL,
  JWT_ISSUER: variables.JWT_ISSUER,
  JWT_AUDIENCE: variables.JWT_AUDIENCE,
  TRUSTED_PUBLISHERS: variables.TRUSTED_PUBLISHERS,
  SHUTDOWN_TIMEOUT_MS: variables.SHUTDOWN_TIMEOUT_MS,
  TRUST_PROXY: variables.TRUST_PROXY,
  /**
   * Origins whose browsers may connect, comma-separated, each exactly as a browser sends it
   * (`https://chat.example.com`, no path or trailing slash). A client sending no Origin is not a
   * browser and is allowed.
   */
  ALLOWED_ORIGINS: list(DEFAULT_ALLOWED_ORIGINS).refine((origins) => origins.every(isOrigin), {
    message: 'must be a comma-separated list of origins such as https://chat.example.com',
  }),
  /** How long a new connection has to authenticate (WEBSOCKET.md: 10 s). */
  AUTH_TIMEOUT_MS: z.coerce.number().int().min(1).max(600_000).default(10_000),
  /** Interval of WebSocket pings; a connection that did not answer the previous one is dropped. */
  PING_INTERVAL_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  /** A socket whose unsent data passes this many bytes is closed with 4008. */
  SLOW_CLIENT_BUFFER_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024),
  /** Largest frame a client may send; `ws` closes a connection sending more with 1009. */
  MAX_FRAME_BYTES: z.coerce
    .number()
    .int()
    .min(256)
    .max(1024 * 1024)
    .default(16 * 1024),
  /**
   * Most open, authenticated connections one user may hold on this gateway; the next one is closed
   * with 1008 right after `ready`. Bounds the queues and memory one account can make the gateway hold.
   */
  MAX_CONNECTIONS_PER_USER: z.coerce.number().int().min(1).max(10_000).default(20),
  /**
   * How often the gateway reports every user it holds a socket for (a `heartbeat` presence report).
   * chat-api believes an instance dead once it has not been heard for twice this plus its grace.
   */
  PRESENCE_HEARTBEAT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  /**
   * How long first-socket and last-socket changes gather before one `changes` report goes out: a
   * burst of connects is a few reports, and a close and reopen within it is none. Far below
   * chat-api's 5 s offline delay, which it adds to presence changes.
   */
  PRESENCE_COALESCE_MS: z.coerce.number().int().min(1).max(5000).default(200),
  /** The AMQP user auth publishes as: only its `login.ended` events close sockets. */
  AUTH_AMQP_USER: z.string().min(1).default('auth'),
  /**
   * How long an ended login is remembered after its `login.ended` arrives, so a token of it that
   * connects later is refused: as long as auth's access tokens live (ACCESS_TOKEN_TTL_SEC, 900 s)
   * plus a minute for clocks and the verifier's tolerance.
   */
  ENDED_LOGINS_KEEP_MS: z.coerce.number().int().min(1000).max(86_400_000).default(960_000),
  /** Ended logins remembered at most (about 150 bytes each); past it the oldest is forgotten early. */
  ENDED_LOGINS_MAX: z.coerce.number().int().min(1).max(10_000_000).default(100_000),
};

/** The ws-gateway's configuration. */
export type WsGatewayConfig = ReturnType<typeof loadConfig>;

/** Parses the ws-gateway's configuration from an environment (process.env at start). */
export function loadConfig(env: Readonly<Record<string, string | undefined>>) {
  return parseEnv(configShape, env);
}
