import type { TestIssuer } from '@warren/shared/testing';
import type { BenchVhost } from './bench-vhost.ts';

/**
 * The variables a benchmarked gateway starts with: the bench's vhost, its administrator trusted as
 * the publisher (chat-api's role), and `issuer` as auth (the gateway fetches the JWKS under AUTH_URL).
 */
export function gatewayConfig(vhost: BenchVhost, issuer: TestIssuer): Record<string, string> {
  return { RABBITMQ_URL: vhost.url, AUTH_URL: issuer.url, TRUSTED_PUBLISHERS: vhost.user };
}
