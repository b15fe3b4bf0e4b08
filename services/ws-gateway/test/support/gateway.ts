import { createLogger } from '@warren/shared/logging';
import { serviceEnv, testConfig } from '@warren/shared/testing';
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
 * Starts the gateway on a free port against `authUrl`'s JWKS, trusting the run's `chat-api` user;
 * `env` overrides any variable. Pings are rare (one every ten minutes) unless a test turns them on.
 */
export async function startTestGateway(authUrl: string, env: Record<string, string> = {}): Promise<TestGateway> {
  const test = testConfig();
  const config = loadConfig(serviceEnv('ws-gateway', { AUTH_URL: authUrl, PING_INTERVAL_MS: '600000', ...env }));
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
