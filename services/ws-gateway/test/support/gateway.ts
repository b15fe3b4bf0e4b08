import { createLogger } from '@warren/shared/logging';
import { serviceEnv, type TestIssuer, testConfig } from '@warren/shared/testing';
import { loadConfig, startWsGatewayService, type WsGatewayService } from '../../src/index.ts';
import { metricValue } from './metrics.ts';

/** A running ws-gateway, in-process, as the run's `ws-gateway` AMQP user. */
export interface TestGateway {
  readonly service: WsGatewayService;
  /** `ws://127.0.0.1:<port>/ws`. */
  readonly wsUrl: string;
  readonly httpUrl: string;
  /** The value of a metric sample in `/metrics` (0 when absent). */
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Starts the gateway on a free port against `authUrl`'s JWKS, trusting the run's `chat-api` user
 * for deliveries and its `auth` user for `login.ended`;
 * `env` overrides any variable. Pings are rare (one every ten minutes) unless a test turns them on.
 */
export async function startTestGateway(authUrl: string, env: Record<string, string> = {}): Promise<TestGateway> {
  const test = testConfig();
  const config = loadConfig(
    serviceEnv('ws-gateway', {
      AUTH_URL: authUrl,
      AUTH_AMQP_USER: test.users.auth.name,
      PING_INTERVAL_MS: '600000',
      ...env,
    }),
  );
  const service = await startWsGatewayService(config, createLogger({ service: 'ws-gateway', level: test.logLevel }));
  const httpUrl = `http://127.0.0.1:${service.port}`;
  return {
    service,
    httpUrl,
    wsUrl: `ws://127.0.0.1:${service.port}/ws`,
    metric: (name, labels) => metricValue(httpUrl, name, labels),
    stop: () => service.stop(),
  };
}

/**
 * A gateway for the enclosing `describe` trusting `issuer`'s tokens, started in its `before` hook
 * (once the issuer listens) and stopped in its `after` hook; `env` as for {@link startTestGateway}.
 */
export function useGateway(issuer: TestIssuer, env: Record<string, string> = {}): TestGateway {
  let started: TestGateway | undefined;
  before(async () => {
    started = await startTestGateway(issuer.url, env);
  });
  after(() => started?.stop());
  const gateway = () => {
    if (started === undefined) throw new Error('the gateway starts in a before hook: use it in hooks and tests');
    return started;
  };
  return {
    get service() {
      return gateway().service;
    },
    get wsUrl() {
      return gateway().wsUrl;
    },
    get httpUrl() {
      return gateway().httpUrl;
    },
    metric: (name, labels) => gateway().metric(name, labels),
    stop: () => gateway().stop(),
  };
}
