import { Publisher } from '@warren/shared/amqp';
import type { Logger } from '@warren/shared/logging';
import { type RunningService, startService } from '@warren/shared/service';
import { createTokenVerifier } from '@warren/shared/tokens';
import type { AuthConfig } from './config.ts';
import { authMetricsMiddleware, createAuthMetrics } from './metrics.ts';
import { AUTH_SCHEMA, migrations } from './migrations/index.ts';
import { PasswordHasher } from './password.ts';
import { RefreshTokenStore } from './refresh-token-store.ts';
import { authRoutes } from './routes.ts';
import { loadSigningKey } from './signing-key.ts';
import { TokenIssuer } from './token-issuer.ts';
import { UserStore } from './user-store.ts';

/** A running auth service. */
export interface AuthService extends RunningService {
  /** Its confirming publisher (tests await its events). */
  readonly publisher: Publisher;
}

/**
 * Starts the auth service: migrates its schema, connects to RabbitMQ (connection name `auth`),
 * loads the signing key and listens. Rejects at once, naming the URL, when the database or the
 * broker cannot be reached.
 */
export function startAuthService(config: AuthConfig, logger: Logger): Promise<AuthService> {
  const database = { url: config.DATABASE_URL, schemas: [{ schema: AUTH_SCHEMA, migrations }] };
  return startService({ name: 'auth', config, logger, database }, async ({ db, amqp, registry }) => {
    const key = await loadSigningKey({ file: config.JWT_PRIVATE_KEY_FILE, dataDir: config.DATA_DIR, logger });
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
    const routes = authRoutes({
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
      publisherUser: amqp.user,
      loginLimits: {
        maxFailuresPerUsername: config.LOGIN_MAX_FAILURES_PER_USERNAME,
        maxAttemptsPerAddress: config.LOGIN_MAX_ATTEMPTS_PER_ADDRESS,
        windowSec: config.LOGIN_WINDOW_SEC,
      },
      registrationLimits: {
        maxPerAddress: config.REGISTER_MAX_PER_ADDRESS,
        windowSec: config.REGISTER_WINDOW_SEC,
      },
    });
    const metrics = authMetricsMiddleware(createAuthMetrics(registry));
    return { routes: (app) => app.use('/auth', metrics, routes), service: { publisher } };
  });
}
