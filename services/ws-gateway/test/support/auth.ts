import { type IssuedUser, TestIssuer } from '@warren/shared/testing';

/** A user with an access token of theirs. */
export type TestUser = IssuedUser;

/**
 * Auth as the gateway sees it, for the enclosing `describe`: a {@link TestIssuer} serving its JWKS
 * from the describe's `before` hook to its `after` hook. Its users (`issuer.user(prefix)`) and
 * tokens can be made at any time.
 */
export function useIssuer(): TestIssuer {
  const issuer = new TestIssuer();
  before(() => issuer.listen());
  after(() => issuer.close());
  return issuer;
}
