/**
 * zod schemas of what auth answers (HTTP.md), for its OpenAPI document; each checked at compile
 * time against its contract type where there is one, so the document and the type cannot differ.
 */
import type { TokenPair, User } from '@warren/shared/contract';
import { exactly, userSchema } from '@warren/shared/http';
import { z } from 'zod';

/** `POST /auth/register` and `GET /auth/me`. */
export const userAnswerSchema = exactly<{ readonly user: User }>()(z.object({ user: userSchema }));

/** `POST /auth/login` and `POST /auth/refresh`. */
export const tokenPairSchema = exactly<TokenPair>()(
  z.object({
    access_token: z.string().min(1).describe("A JWT (ES256 or RS256) whose `kid` is in auth's JWKS."),
    refresh_token: z.string().min(1).describe('Opaque and single use.'),
    token_type: z.literal('Bearer'),
    expires_in: z.number().int().positive().describe('Seconds until the access token expires.'),
    user: userSchema,
  }),
);

/** A public key of the JWKS (RFC 7517); its key members (`crv`, `x`, `y` or `n`, `e`) depend on `kty`. */
export const publicJwkSchema = z.looseObject({
  kty: z.enum(['EC', 'RSA']),
  kid: z.string().min(1).describe('The RFC 7638 thumbprint of the key.'),
  use: z.literal('sig'),
  alg: z.enum(['ES256', 'RS256']),
});

/** `GET /auth/.well-known/jwks.json`. */
export const jwksSchema = z.object({ keys: z.array(publicJwkSchema) });
