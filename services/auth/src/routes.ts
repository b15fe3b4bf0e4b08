import type { Publisher } from '@warren/shared/amqp';
import type { Knex } from '@warren/shared/db';
import { SharedErrors } from '@warren/shared/errors';
import { serveOpenApi, validate } from '@warren/shared/http';
import { authOf, bearerAuth, type TokenVerifier } from '@warren/shared/tokens';
import { Router } from 'express';
import { AuthErrors } from './errors.ts';
import { publishLoginEnded, publishLoginsEnded } from './login-events.ts';
import { type LoginRateLimitOptions, loginRateLimits } from './login-rate-limits.ts';
import { authOpenApiSpec } from './openapi.ts';
import type { PasswordHasher } from './password.ts';
import type { IssuedRefreshToken, RefreshTokenStore } from './refresh-token-store.ts';
import { type RegistrationRateLimitOptions, registrationRateLimit } from './registration-rate-limit.ts';
import { endedLoginsQuery, loginBody, refreshBody, registerBody } from './schemas.ts';
import type { SigningKey } from './signing-key.ts';
import type { TokenIssuer, TokenPair } from './token-issuer.ts';
import { publishUserRegistered } from './user-events.ts';
import type { User, UserStore } from './user-store.ts';
import { usernameKey } from './username-key.ts';

/**
 * How much longer than an access token's lifetime an ended login is still listed by
 * `GET /auth/ended-logins` (and told again by a logout-all): verifiers accept a token a few seconds
 * past `exp` (clock tolerance), and the clocks of auth and its readers may differ a little.
 */
export const ENDED_LOGINS_MARGIN_SEC = 60;

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

/** The routes of HTTP.md's auth table, and their OpenAPI document (`openapi.ts`), under `/auth`. */
export function authRoutes(deps: AuthRouteDeps): Router {
  const router = Router();
  // A login that ended before this has no access token that any verifier still accepts.
  const oldestLiveEnd = (): Date => new Date(Date.now() - (deps.issuer.ttlSec + ENDED_LOGINS_MARGIN_SEC) * 1000);
  // The access token's `sid` is its refresh token's family: the login both belong to.
  const tokenPair = (user: User, refresh: IssuedRefreshToken): TokenPair => ({
    access_token: deps.issuer.sign(user, refresh.sid),
    refresh_token: refresh.token,
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
    res.json(tokenPair(found.user, await deps.refreshTokens.issue(found.user.id)));
  });

  router.post('/refresh', async (req, res) => {
    const body = validate(refreshBody, req.body);
    const outcome = await deps.refreshTokens.rotate(body.refresh_token);
    if ('refused' in outcome) {
      if (outcome.ended) {
        // The family is revoked whatever the broker says: the answer stays the 401 of any refused
        // token, and a login.ended that was not confirmed is logged for the operator.
        const { sid, userId } = outcome.ended;
        req.log.warn({ userId, sid }, 'refresh token reused: login ended');
        await publishLoginEnded(deps.publisher, deps.publisherUser, outcome.ended).catch((error: unknown) => {
          req.log.error({ err: error, userId, sid }, 'login.ended of a reused refresh token was not confirmed');
        });
      }
      throw new AuthErrors.invalidRefreshToken(`the refresh token is ${outcome.refused}`);
    }
    const user = await deps.users.findById(outcome.userId);
    if (!user) throw new AuthErrors.invalidRefreshToken('the refresh token belongs to no user');
    res.json(tokenPair(user, outcome));
  });

  // The family is revoked (committed) before login.ended is published: a 503 leaves the login
  // ended, and the client's retry finds it revoked and publishes again (consumers are idempotent).
  router.post('/logout', async (req, res) => {
    const body = validate(refreshBody, req.body);
    const ended = await deps.refreshTokens.revoke(body.refresh_token);
    if (ended) {
      await publishLoginEnded(deps.publisher, deps.publisherUser, ended);
      req.log.info({ userId: ended.userId, sid: ended.sid }, 'logged out');
    }
    res.status(204).end();
  });

  router.post('/logout-all', bearerAuth(deps.verifier), async (req, res) => {
    const { sub, sid } = authOf(res);
    const ended = await deps.refreshTokens.revokeAll(sub, oldestLiveEnd(), sid);
    await publishLoginsEnded(deps.publisher, deps.publisherUser, ended);
    req.log.info({ userId: sub, logins: ended.length }, 'logged out everywhere');
    res.status(204).end();
  });

  // Unauthenticated: it lists only the sids of ended logins, which no token can use any more, and
  // no user ids. Nothing that ended more than one access-token lifetime (and a margin) ago is
  // listed: no token of it can still be accepted.
  router.get('/ended-logins', async (req, res) => {
    const query = validate(endedLoginsQuery, req.query, 'query');
    const oldest = oldestLiveEnd();
    const since = query.since && query.since > oldest ? query.since : oldest;
    const ended = await deps.refreshTokens.endedSince(since);
    res.json({
      ended: ended.map(({ sid, endedAt }) => ({ sid, ended_at: endedAt.toISOString() })),
      access_token_ttl_sec: deps.issuer.ttlSec,
    });
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

  router.get('/openapi.json', serveOpenApi(authOpenApiSpec));

  router.get('/.well-known/jwks.json', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300').json({ keys: [deps.key.jwk] });
  });

  return router;
}
