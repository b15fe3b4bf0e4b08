import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AuthService, loadConfig, startAuthService } from '@warren/auth';
import { createLogger } from '@warren/shared/logging';
import { serviceEnv, testConfig } from '@warren/shared/testing';
import { publicJwkOf } from '@warren/shared/tokens';
import { SignJWT } from 'jose';

/** A registered user and an access token of theirs. */
export interface TestUser {
  readonly id: string;
  readonly username: string;
  readonly token: string;
}

/** A running auth service, in-process, in the test run's vhost and database. */
export interface TestAuth {
  readonly service: AuthService;
  readonly baseUrl: string;
  /** Where its signing key is: another auth started on it signs with the same key. */
  readonly dataDir: string;
  /** Registers a new user and logs them in. */
  register(prefix?: string): Promise<TestUser>;
  /** Logs an existing user in: a fresh access token. */
  login(username: string): Promise<string>;
  /** Signs a token with auth's own key, for claims auth would never issue (an `exp` in the past). */
  sign(claims: { sub: string; name: string; iat: number; exp: number }): Promise<string>;
  stop(): Promise<void>;
}

const PASSWORD = 'correct horse battery';

async function postJson(url: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${url} answered ${response.status}: ${JSON.stringify(answer)}`);
  return answer;
}

/** Starts auth on a free port with fast bcrypt; `env` overrides any variable (ACCESS_TOKEN_TTL_SEC, DATA_DIR). */
export async function startTestAuth(env: Record<string, string> = {}): Promise<TestAuth> {
  const test = testConfig();
  const dataDir = env.DATA_DIR ?? mkdtempSync(join(tmpdir(), 'warren-ws-auth-'));
  const config = loadConfig(
    serviceEnv('auth', { LOGIN_MAX_ATTEMPTS_PER_ADDRESS: '100000', DATA_DIR: dataDir, ...env }),
  );
  const service = await startAuthService(config, createLogger({ service: 'auth', level: test.logLevel }));
  const baseUrl = `http://127.0.0.1:${service.port}`;
  const login = async (username: string) =>
    (await postJson(`${baseUrl}/auth/login`, { username, password: PASSWORD })).access_token as string;
  return {
    service,
    baseUrl,
    dataDir,
    login,
    async register(prefix = 'ws') {
      const username = `${prefix}_${Math.random().toString(36).slice(2, 10)}`;
      const { user } = (await postJson(`${baseUrl}/auth/register`, { username, password: PASSWORD })) as {
        user: { id: string };
      };
      return { id: user.id, username, token: await login(username) };
    },
    async sign(claims) {
      const key = createPrivateKey(readFileSync(join(dataDir, 'jwt-signing-key.pem')));
      return new SignJWT({ name: claims.name })
        .setProtectedHeader({ alg: 'ES256', kid: publicJwkOf(key).kid })
        .setSubject(claims.sub)
        .setIssuer(config.JWT_ISSUER)
        .setAudience(config.JWT_AUDIENCE)
        .setIssuedAt(claims.iat)
        .setExpirationTime(claims.exp)
        .sign(key);
    },
    stop: () => service.stop(),
  };
}
