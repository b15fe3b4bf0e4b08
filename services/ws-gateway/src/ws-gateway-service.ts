import { randomUUID } from 'node:crypto';
import { Publisher } from '@warren/shared/amqp';
import type { Logger } from '@warren/shared/logging';
import { type RunningService, startService } from '@warren/shared/service';
import { createTokenVerifier, EndedLoginsSource } from '@warren/shared/tokens';
import type { WsGatewayConfig } from './config.ts';
import { ConsumerChannel } from './consumer-channel.ts';
import { DeliveryEncoder } from './delivery-encoder.ts';
import { EndedLogins } from './ended-logins.ts';
import { Gateway } from './gateway.ts';
import { followEndedLogins } from './login-ended-listener.ts';
import { createGatewayMetrics } from './metrics.ts';
import { PresenceReporter } from './presence-reporter.ts';

/** A running ws-gateway. */
export interface WsGatewayService extends RunningService {
  /** The port of its HTTP server, which also takes the WebSocket upgrades on `/ws`. */
  readonly port: number;
  /** Its WebSocket side (tests await `ready`, `closing` and `closed`). */
  readonly gateway: Gateway;
  /**
   * This instance's id, a UUID new at each start: its presence reports go under
   * `presence.<instanceId>`, and its own queue is `warren.ws-gateway.instance.<instanceId>`.
   */
  readonly instanceId: string;
  /** Says goodbye (a presence report), closes every WebSocket with 1001, then the HTTP server and the broker connection. */
  stop(): Promise<void>;
}

/** How long a presence report may wait for the broker's confirm; a goodbye waits at most this. */
const PRESENCE_CONFIRM_TIMEOUT_MS = 2000;

/** Verified tokens the gateway keeps (each until its `exp`), at most. */
const VERIFIED_TOKENS_CACHED = 10_000;

/** The JWKS of the auth service at `authUrl`, keeping any path prefix it has. */
function jwksUrlOf(authUrl: string): string {
  return `${authUrl.replace(/\/+$/, '')}/auth/.well-known/jwks.json`;
}

/**
 * Starts the ws-gateway: connects to RabbitMQ (connection name `ws-gateway`), then serves
 * `/healthz`, `/readyz` (broker connected), `/metrics` and WebSockets on `/ws` on one port. Rejects
 * at once, naming the URL, when the broker cannot be reached. It reads no database and calls no
 * other service but auth (its JWKS, and its record of ended logins, read at start and after every
 * reconnect). Under a fresh instance id it reports its users' presence to `warren.events` and
 * closes the sockets of logins that ended (docs/ws-gateway.md).
 */
export function startWsGatewayService(config: WsGatewayConfig, logger: Logger): Promise<WsGatewayService> {
  return startService({ name: 'ws-gateway', config, logger }, async ({ amqp, registry, resources }) => {
    const instanceId = randomUUID();
    const metrics = createGatewayMetrics(registry);
    const consumers = new ConsumerChannel({ logger, onDeliveryFailed: () => metrics.failedDeliveries.inc() });
    await amqp.attach(consumers);

    const verifier = createTokenVerifier({
      jwksUrl: jwksUrlOf(config.AUTH_URL),
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      // Tabs and reconnects of a user send the same token: one signature check per token, not per
      // connection. About 1 KiB per entry.
      cacheSize: VERIFIED_TOKENS_CACHED,
    });
    verifier.on('jwks-refresh-failed', (error) => logger.warn({ err: error }, 'cannot fetch the JWKS from auth'));
    const encoder = new DeliveryEncoder({
      trustedPublishers: new Set(config.TRUSTED_PUBLISHERS),
      onLookup: (hit) => metrics.encodeCache.add(hit ? 'hit' : 'miss'),
      logger,
    });
    const endedLogins = new EndedLogins({
      keepMs: config.ENDED_LOGINS_KEEP_MS,
      max: config.ENDED_LOGINS_MAX,
      onSize: (size) => metrics.endedLogins.set(size),
      onEvicted: () => metrics.endedLoginsEvicted.inc(),
    });
    const endedLoginsRecord = new EndedLoginsSource({
      authUrl: config.AUTH_URL,
      // As far back as a login may still have live tokens, and at least as long as the memory keeps one.
      lookbackMs: (accessTokenTtlSec) => Math.max(config.ENDED_LOGINS_KEEP_MS, accessTokenTtlSec * 1000),
      sink: (ended) => {
        endedLogins.fill(ended.map((login) => login.sid));
        // Sockets that authenticated before this read (after a reconnect) may be of one of them.
        let closed = 0;
        for (const login of ended) closed += gateway.endLogin(login.sid);
        if (closed > 0) logger.info({ closed }, 'closed the sockets of logins that auth lists as ended');
      },
      failures: metrics.endedLoginsReadFailures,
      logger,
    });
    resources.add('ended logins record', () => endedLoginsRecord.stop());
    const reporter = new PresenceReporter({
      instanceId,
      publisher: new Publisher(amqp, { registry, confirmTimeoutMs: PRESENCE_CONFIRM_TIMEOUT_MS }),
      publisherUser: amqp.user,
      heartbeatMs: config.PRESENCE_HEARTBEAT_MS,
      coalesceMs: config.PRESENCE_COALESCE_MS,
      users: () => gateway.heldUsers(),
      metrics,
      logger,
    });
    const gateway = new Gateway({
      verifier,
      consumers,
      encoder,
      metrics,
      logger,
      endedLogins,
      readEndedLogins: () => endedLoginsRecord.tryNow(),
      presence: reporter,
      allowedOrigins: config.ALLOWED_ORIGINS,
      authTimeoutMs: config.AUTH_TIMEOUT_MS,
      pingIntervalMs: config.PING_INTERVAL_MS,
      slowClientBufferBytes: config.SLOW_CLIENT_BUFFER_BYTES,
      maxFrameBytes: config.MAX_FRAME_BYTES,
      maxConnectionsPerUser: config.MAX_CONNECTIONS_PER_USER,
    });
    const stopEndedLogins = await followEndedLogins(amqp, {
      instanceId,
      authUser: config.AUTH_AMQP_USER,
      endedLogins,
      gateway,
      metrics,
      logger,
      onRestarted: () => void endedLoginsRecord.request(),
    });
    resources.add('login.ended consumer', stopEndedLogins);
    // Consuming first, so no login.ended falls between auth's answer and the first event heard. One
    // attempt is awaited (auth answers at once, up or down), then retried in the background: until
    // one succeeds, no token is admitted (1011, as when auth's keys cannot be fetched).
    if (!(await endedLoginsRecord.attempt())) void endedLoginsRecord.request();
    // Reports published while disconnected were lost: the whole set at once, not at the next beat.
    const reconnected = () => reporter.heartbeat();
    return {
      // No routes of its own: the WebSocket upgrade on /ws bypasses express.
      listening: (server) => {
        server.server.on('upgrade', gateway.handleUpgrade);
        amqp.on('connected', reconnected);
        reporter.start();
        // Its WebSockets hold the server open, so they close first (1001), after the goodbye: their
        // closes are then no news to report.
        resources.add('gateway', async () => {
          amqp.off('connected', reconnected);
          await reporter.goodbye();
          // Queues go with the broker connection: no consumer is cancelled one by one.
          consumers.stop();
          await gateway.stop();
        });
      },
      service: { gateway, instanceId },
    };
  });
}
