import type { Publisher } from '@warren/shared/amqp';
import type { Knex } from '@warren/shared/db';
import { SharedErrors } from '@warren/shared/errors';
import { validate } from '@warren/shared/http';
import { authOf, bearerAuth, type TokenVerifier } from '@warren/shared/tokens';
import { Router } from 'express';
import { AuthErrors } from './errors.ts';
import { type LoginRateLimitOptions, loginRateLimits } from './login-rate-limits.ts';
import type { PasswordHasher } from './password.ts';
import type { RefreshTokenStore } from './refresh-token-store.ts';
import { type RegistrationRateLimitOptions, registrationRateLimit } from './registration-rate-limit.ts';
import { loginBody, refreshBody, registerBody } from './schemas.ts';
import type { SigningKey } from './signing-key.ts';
import type { TokenIssuer, TokenPair } from './token-issuer.ts';
import { publishUserRegistered } from './user-events.ts';
import type { User, UserStore } from './user-store.ts';
import { usernameKey } from './username-key.ts';

/** What the routes need, passed in explicitly. */
export interface AuthRouteDeps {
  db: Knex;
  users: UserStore;
  refreshTokens: RefreshTokenStore;
  passwords: PasswordHasher;
  issuer: TokenIssuer;
  key: SigningKey;
  verifier: Pick<TokenVerifier, 'verify'>;
  publisher: Publisher;
  /** The AMQP user auth publishes as (the `user_id` property). */
  publisherUser: string;
  loginLimits: LoginRateLimitOptions;
  registrationLimits: RegistrationRateLimitOptions;
}

/** The routes of HTTP.md's auth table, under `/auth`. */
export function authRoutes(deps: AuthRouteDeps): Router {
  const router = Router();
  const tokenPair = async (user: User, refreshToken?: string): Promise<TokenPair> => ({
    access_token: deps.issuer.sign(user),
    refresh_token: refreshToken ?? (await deps.refreshTokens.issue(user.id)),
    token_type: 'Bearer',
    expires_in: deps.issuer.ttlSec,
    user,
  });

  router.post('/register', registrationRateLimit(deps.registrationLimits), async (req, res) => {
    const body = validate(registerBody, req.body);
    const passwordHash = await deps.passwords.hash(body.password);
    // The event is confirmed before the user is committed: a registration that answers 201 was
    // announced, and one the broker did not confirm is rolled back (503) and can be retried.
    const user = await deps.db.transaction(async (trx) => {
      const created = await deps.users.create(trx, { username: body.username, email: body.email, passwordHash });
      await publishUserRegistered(deps.publisher, deps.publisherUser, created);
      return created;
    });
    req.log.info({ userId: user.id }, 'user registered');
    res.status(201).json({ user });
  });

  router.post('/login', ...loginRateLimits(deps.loginLimits), async (req, res) => {
    const body = validate(loginBody, req.body);
    // A name no user can have (outside the username limits, such as `İ` for `i`) finds nobody and
    // gets the unknown user's answer after the same decoy hash.
    const key = usernameKey(body.username);
    const found = key === undefined ? undefined : await deps.users.findCredentials(key);
    if (!(await deps.passwords.verify(body.password, found?.passwordHash)) || !found) {
      throw new AuthErrors.invalidCredentials('wrong username or password');
    }
    res.json(await tokenPair(found.user));
  });

  router.post('/refresh', async (req, res) => {
    const body = validate(refreshBody, req.body);
    const { userId, token } = await deps.refreshTokens.rotate(body.refresh_token);
    const user = await deps.users.findById(userId);
    if (!user) throw new AuthErrors.invalidRefreshToken('the refresh token belongs to no user');
    res.json(await tokenPair(user, token));
  });

  router.post('/logout', async (req, res) => {
    const body = validate(refreshBody, req.body);
    await deps.refreshTokens.revoke(body.refresh_token);
    res.status(204).end();
  });

  router.get('/me', bearerAuth(deps.verifier), async (_req, res) => {
    const user = await deps.users.findById(authOf(res).sub);
    if (!user) {
      throw new SharedErrors.unauthorized('the user of this token no longer exists', {
        headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
      });
    }
    res.json({ user });
  });

  router.get('/.well-known/jwks.json', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300').json({ keys: [deps.key.jwk] });
  });

  return router;
}
