import { TestIssuer } from '@warren/shared/testing';

/** Lifetime of the benchmarks' tokens: longer than any run, as the gateway closes a socket once its token expires. */
const TOKEN_TTL_SEC = 3600;

/**
 * Auth as the benchmarked gateways see it, so no auth service or database is needed: a
 * {@link TestIssuer} serving its JWKS, whose `url` is their AUTH_URL. `close()` it at the end.
 */
export async function startBenchIssuer(): Promise<TestIssuer> {
  const issuer = new TestIssuer({ ttlSec: TOKEN_TTL_SEC });
  await issuer.listen();
  return issuer;
}
