import { SharedErrors } from '@warren/shared/errors';
import type { AccessTokenClaims, TokenVerifier } from '@warren/shared/tokens';
import type { DenyList } from './deny-list.ts';

/**
 * A verifier that also refuses the tokens of a login that ended (their `sid` is on the deny list),
 * as it refuses an invalid one: `bearerAuth` answers 401 with `error="invalid_token"`. A token
 * without `sid` (signed before auth added it) cannot be told apart and lives until it expires.
 */
export function denyingVerifier(
  verifier: Pick<TokenVerifier, 'verify'>,
  denyList: Pick<DenyList, 'has'>,
): Pick<TokenVerifier, 'verify'> {
  return {
    async verify(token: string): Promise<AccessTokenClaims> {
      const claims = await verifier.verify(token);
      if (claims.sid !== undefined && denyList.has(claims.sid)) throw new SharedErrors.unauthorized('login ended');
      return claims;
    },
  };
}
