import type { JwtPayload } from 'jsonwebtoken';

/** The claims of a verified access token (HTTP.md), and nothing else it may carry. */
export interface AccessTokenClaims {
  /** User id. */
  readonly sub: string;
  /** Username. */
  readonly name: string;
  readonly iss: string;
  readonly aud: string | string[];
  /** Issue time, seconds since the epoch. */
  readonly iat: number;
  /** Expiry, seconds since the epoch. */
  readonly exp: number;
  /**
   * The login the token came from (its refresh-token family): when that login ends, every token
   * with this `sid` is refused (HTTP.md "Signing out"). Absent only from tokens auth signed before
   * it added the claim.
   */
  readonly sid?: string;
}

const isString = (value: unknown): value is string => typeof value === 'string' && value !== '';
const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/**
 * The access-token claims of a payload whose signature, `iss`, `aud` and `exp` were already checked,
 * or `undefined` when one is missing or mistyped: jsonwebtoken accepts a token without `exp`, and
 * only a token naming its user is of any use.
 */
export function accessTokenClaimsOf(payload: JwtPayload | string): AccessTokenClaims | undefined {
  if (typeof payload === 'string') return undefined;
  const { sub, name, iss, aud, iat, exp, sid } = payload;
  if (!isString(sub) || !isString(name) || !isString(iss)) return undefined;
  if (!(isString(aud) || (Array.isArray(aud) && aud.length > 0 && aud.every(isString)))) return undefined;
  if (!isNumber(iat) || !isNumber(exp)) return undefined;
  if (sid !== undefined && !isString(sid)) return undefined;
  return { sub, name, iss, aud, iat, exp, ...(sid === undefined ? {} : { sid }) };
}
