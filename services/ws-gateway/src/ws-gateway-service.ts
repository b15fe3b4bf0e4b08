import {
  AmqpClient,
  createHttpApp,
  createRegistry,
  createTokenVerifier,
  type Logger,
  type RunningServer,
  startHttpServer,
} from '@warren/shared';
import type { WsGatewayConfig } from './config.ts';
import { ConsumerChannel } from './consumer-channel.ts';
import { DeliveryEncoder } from './delivery-encoder.ts';
import { Gateway } from './gateway.ts';
import { createGatewayMetrics } from './metrics.ts';

/** A running ws-gateway. */
export interface WsGatewayService {
  /** The port of its HTTP server, which also takes the WebSocket upgrades on `/ws`. */
  readonly port: number;
  /** Its broker connection (tests await `connected` and `disconnected`). */
  readonly amqp: AmqpClient;
  /** Its WebSocket side (tests await `ready`, `closing` and `closed`). */
  readonly gateway: Gateway;
  /** Closes every WebSocket with 1001, then the HTTP server and the broker connection. */
  stop(): Promise<void>;
}

/** The JWKS of the auth service at `authUrl`, keeping any path prefix it has. */
function jwksUrlOf(authUrl: string): string {
  return `${authUrl.replace(/\/+$/, '')}/auth/.well-known/jwks.json`;
}

/**
 * Starts the ws-gateway: connects to RabbitMQ (connection name `ws-gateway`), then serves
 * `/healthz`, `/readyz` (broker connected), `/metrics` and WebSockets on `/ws` on one port. Rejects
 * at once, naming the URL, when the broker cannot be reached. It reads no database and calls no
 * other service but auth's JWKS.
 */
export async function startWsGatewayService(config: WsGatewayConfig, logger: Logger): Promise<WsGatewayService> {
  const amqp = new AmqpClient({ url: config.RABBITMQ_URL, connectionName: 'ws-gateway', logger });
  let server: RunningServer | undefined;
  try {
    const registry = createRegistry('ws-gateway');
    const metrics = createGatewayMetrics(registry);
    const consumers = new ConsumerChannel({ logger, onDeliveryFailed: () => metrics.failedDeliveries.inc() });
    await amqp.start();
    await amqp.attach(consumers);

    const verifier = createTokenVerifier({
      jwksUrl: jwksUrlOf(config.AUTH_URL),
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
    });
    verifier.on('jwks-refresh-failed', (error) => logger.warn({ err: error }, 'cannot fetch the JWKS from auth'));
    const encoder = new DeliveryEncoder({
      trustedPublishers: new Set(config.TRUSTED_PUBLISHERS),
      onLookup: (hit) => metrics.encodeCache.inc({ result: hit ? 'hit' : 'miss' }),
    });
    const gateway = new Gateway({
      verifier,
      consumers,
      encoder,
      metrics,
      logger,
      allowedOrigins: config.ALLOWED_ORIGINS,
      authTimeoutMs: config.AUTH_TIMEOUT_MS,
      pingIntervalMs: config.PING_INTERVAL_MS,
      slowClientBufferBytes: config.SLOW_CLIENT_BUFFER_BYTES,
      maxFrameBytes: config.MAX_FRAME_BYTES,
      maxConnectionsPerUser: config.MAX_CONNECTIONS_PER_USER,
    });

    const app = createHttpApp(
      {
        logger,
        registry,
        trustProxy: config.TRUST_PROXY,
        readiness: [{ name: 'rabbitmq', check: () => amqp.connected }],
      },
      // No routes of its own: the WebSocket upgrade on /ws bypasses express.
      () => undefined,
    );
    server = await startHttpServer(app, config.PORT, config.HOST);
    server.server.on('upgrade', gateway.handleUpgrade);
    logger.info({ port: server.port }, 'ws-gateway listening');
    const running = server;
    return {
      port: running.port,
      amqp,
      gateway,
      async stop() {
        // Queues go with the broker connection: no consumer is cancelled one by one.
        consumers.stop();
        await gateway.stop();
        await running.close();
        await amqp.close();
      },
    };
  } catch (error) {
    await server?.close().catch(() => undefined);
    await amqp.close().catch(() => undefined);
    throw error;
  }
}
