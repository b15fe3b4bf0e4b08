import {
  AmqpClient,
  checkDatabase,
  createDatabase,
  createHttpApp,
  createRegistry,
  createTokenVerifier,
  type Logger,
  migrate,
  Publisher,
  pingDatabase,
  type RunningServer,
  startHttpServer,
} from '@warren/shared';
import type { AuthConfig } from './config.ts';
import { AUTH_SCHEMA, migrations } from './migrations/index.ts';
import { PasswordHasher } from './password.ts';
import { RefreshTokenStore } from './refresh-token-store.ts';
import { authRoutes } from './routes.ts';
import { loadSigningKey } from './signing-key.ts';
import { TokenIssuer } from './token-issuer.ts';
import { UserStore } from './user-store.ts';

/** A running auth service. */
export interface AuthService {
  /** The HTTP port it listens on. */
  readonly port: number;
  /** Its broker connection (tests await its events). */
  readonly amqp: AmqpClient;
  /** Its confirming publisher (tests await its events). */
  readonly publisher: Publisher;
  /** Stops taking requests, finishes those in flight, closes the broker and database connections. */
  stop(): Promise<void>;
}

/**
 * Starts the auth service: migrates its schema, loads the signing key, connects to RabbitMQ
 * (connection name `auth`) and listens. Rejects at once, naming the URL, when the database or the
 * broker cannot be reached.
 */
export async function startAuthService(config: AuthConfig, logger: Logger): Promise<AuthService> {
  const db = createDatabase({ url: config.DATABASE_URL, logger });
  let amqp: AmqpClient | undefined;
  let server: RunningServer | undefined;
  try {
    await checkDatabase(db, config.DATABASE_URL);
    await migrate(db, AUTH_SCHEMA, migrations);
    const key = await loadSigningKey({ file: config.JWT_PRIVATE_KEY_FILE, dataDir: config.DATA_DIR, logger });

    amqp = new AmqpClient({ url: config.RABBITMQ_URL, connectionName: 'auth', logger });
    await amqp.start();
    const registry = createRegistry('auth');
    const publisher = new Publisher(amqp, { registry });

    // Auth verifies its own tokens (GET /auth/me) with the same verifier as every other service,
    // fed its own key set instead of fetching it over HTTP.
    const jwks = { keys: [key.jwk] };
    const verifier = createTokenVerifier({
      jwksUrl: 'local:auth-jwks',
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      fetch: async () => Response.json(jwks),
    });
    const connection = amqp;
    const app = createHttpApp(
      {
        logger,
        registry,
        trustProxy: config.TRUST_PROXY,
        readiness: [
          { name: 'rabbitmq', check: () => connection.connected },
          { name: 'database', check: () => pingDatabase(db) },
        ],
      },
      (app) => {
        app.use(
          '/auth',
          authRoutes({
            db,
            users: new UserStore(db),
            refreshTokens: new RefreshTokenStore(db, config.REFRESH_TOKEN_TTL_SEC),
            passwords: new PasswordHasher(config.BCRYPT_COST),
            issuer: new TokenIssuer({
              key,
              issuer: config.JWT_ISSUER,
              audience: config.JWT_AUDIENCE,
              ttlSec: config.ACCESS_TOKEN_TTL_SEC,
            }),
            key,
            verifier,
            publisher,
            publisherUser: connection.user,
            loginLimits: {
              maxFailuresPerUsername: config.LOGIN_MAX_FAILURES_PER_USERNAME,
              maxAttemptsPerAddress: config.LOGIN_MAX_ATTEMPTS_PER_ADDRESS,
              windowSec: config.LOGIN_WINDOW_SEC,
            },
            registrationLimits: {
              maxPerAddress: config.REGISTER_MAX_PER_ADDRESS,
              windowSec: config.REGISTER_WINDOW_SEC,
            },
          }),
        );
      },
    );
    server = await startHttpServer(app, config.PORT, config.HOST);
    logger.info({ port: server.port }, 'auth listening');
    const running = server;
    return {
      port: running.port,
      amqp: connection,
      publisher,
      async stop() {
        await running.close();
        await connection.close();
        await db.destroy();
      },
    };
  } catch (error) {
    await server?.close().catch(() => undefined);
    await amqp?.close().catch(() => undefined);
    await db.destroy().catch(() => undefined);
    throw error;
  }
}
