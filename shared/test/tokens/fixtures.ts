import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';

export const ISSUER = 'warren-auth';
export const AUDIENCE = 'warren';

/** Signing keys, made once: RSA key generation is slow. */
export const keys = {
  es256: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  es256b: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  rs256: generateKeyPairSync('rsa', { modulusLength: 2048 }),
};

/** Seconds since the epoch of a millisecond clock reading. */
export const seconds = (ms: number): number => Math.floor(ms / 1000);

/** Options of {@link signToken}. */
export interface SignOptions {
  alg?: 'ES256' | 'RS256';
  /** Header kid; omitted when `undefined`. */
  kid?: string | undefined;
  /** Claims over the defaults; an `undefined` value removes the claim. */
  claims?: Record<string, unknown>;
  /** Clock the default `iat` and `exp` derive from. @defaultValue Date.now() */
  nowMs?: number;
}

/** The claims of a token the auth service issues alice at `nowMs`: 15 minutes, `sub`, `name`, `iss`, `aud`. */
export function tokenClaims(nowMs: number) {
  const iat = seconds(nowMs);
  return {
    sub: '6f1c1c2e-3c4b-4f38-9f52-6b0f0f1e2a11',
    name: 'alice',
    iss: ISSUER,
    aud: AUDIENCE,
    iat,
    exp: iat + 900,
  };
}

/** A token as the auth service signs it ({@link tokenClaims}, with `options.claims` over them). */
export function signToken(privateKey: KeyObject, options: SignOptions = {}): string {
  const payload: Record<string, unknown> = { ...tokenClaims(options.nowMs ?? Date.now()), ...options.claims };
  for (const [claim, value] of Object.entries(payload)) if (value === undefined) delete payload[claim];
  return jwt.sign(payload, privateKey, {
    algorithm: options.alg ?? 'ES256',
    // Otherwise jsonwebtoken adds the iat a test left out on purpose.
    noTimestamp: payload.iat === undefined,
    ...(options.kid === undefined ? {} : { keyid: options.kid }),
  });
}

/** A token with any header, signed by `sign` over `header.payload` (empty for `alg: none`). */
export function forgeToken(header: object, payload: object, sign: (input: string) => string): string {
  const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
  const input = `${encode(header)}.${encode(payload)}`;
  return `${input}.${sign(input)}`;
}

/** A loopback HTTP server answering every request with the current JWKS, counting requests. */
export class JwksServer {
  /** What it serves; tests replace it to rotate keys. */
  body: unknown = { keys: [] };
  /** HTTP status it answers with. */
  status = 200;
  /** Requests served so far. */
  requests = 0;
  readonly #server: Server;

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(body: unknown): Promise<JwksServer> {
    const jwks = new JwksServer(
      createServer((_req, res) => {
        jwks.requests += 1;
        res.writeHead(jwks.status, { 'content-type': 'application/json' }).end(JSON.stringify(jwks.body));
      }),
    );
    jwks.body = body;
    jwks.#server.listen(0, '127.0.0.1');
    await once(jwks.#server, 'listening');
    return jwks;
  }

  get url(): string {
    const { port } = this.#server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/auth/.well-known/jwks.json`;
  }

  async close(): Promise<void> {
    // fetch keeps connections alive, which would hold close() open.
    this.#server.closeAllConnections();
    this.#server.close();
    await once(this.#server, 'close');
  }
}

/** The URL of a loopback port nothing listens on any more. */
export async function deadUrl(): Promise<string> {
  const server = await JwksServer.start({ keys: [] });
  const { url } = server;
  await server.close();
  return url;
}
