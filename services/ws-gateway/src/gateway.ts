import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WarrenError } from '@warren/shared/errors';
import { SharedErrors } from '@warren/shared/errors';
import { PROBLEM_CONTENT_TYPE, problemType } from '@warren/shared/http';
import type { Logger } from '@warren/shared/logging';
import type { TokenVerifier } from '@warren/shared/tokens';
import { type ServerOptions, WebSocketServer } from 'ws';
import { ClientConnection, type ReadyConnection } from './client-connection.ts';
import { CloseCode, closeCodeLabel } from './close-codes.ts';
import type { ConsumerChannel } from './consumer-channel.ts';
import type { DeliveryEncoder } from './delivery-encoder.ts';
import { WsGatewayErrors } from './errors.ts';
import type { GatewayMetrics } from './metrics.ts';
import { isOriginAllowed } from './origin-policy.ts';

/** The path WebSockets connect to (WEBSOCKET.md). */
export const WS_PATH = '/ws';

/** Options of {@link Gateway}; the service fills them from its configuration. */
export interface GatewayOptions {
  readonly verifier: Pick<TokenVerifier, 'verify'>;
  readonly consumers: Pick<ConsumerChannel, 'subscribe'>;
  readonly encoder: DeliveryEncoder;
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
  /** Origins whose browsers may connect (ALLOWED_ORIGINS). */
  readonly allowedOrigins: readonly string[];
  /** AUTH_TIMEOUT_MS. */
  readonly authTimeoutMs: number;
  /** PING_INTERVAL_MS. */
  readonly pingIntervalMs: number;
  /** SLOW_CLIENT_BUFFER_BYTES. */
  readonly slowClientBufferBytes: number;
  /** MAX_FRAME_BYTES: `ws` closes a connection that sends a larger frame with 1009. */
  readonly maxFrameBytes: number;
  /** MAX_CONNECTIONS_PER_USER: a user's next ready connection is closed with 1008. @defaultValue 20 */
  readonly maxConnectionsPerUser?: number;
  /**
   * How long a close handshake may take before the socket is destroyed: bounds what a slow client
   * holds after its 4008 and how long a shutdown waits. @defaultValue 5000
   */
  readonly closeTimeoutMs?: number;
}

/** A connection that closed. */
export interface ClosedConnection {
  readonly connectionId: string;
  /** Undefined when it closed before authenticating. */
  readonly userId: string | undefined;
  readonly code: number;
  readonly reason: string;
}

/** Events of a {@link Gateway}, for logs and tests. */
export interface GatewayEvents {
  /** A connection is authenticated, its queue consumed, and `ready` sent. */
  ready: [connection: ReadyConnection];
  /** The gateway decided to close a connection (4001, 4008, 1011, 1001). */
  closing: [connectionId: string, code: number, reason: string];
  /** A connection is closed. */
  closed: [connection: ClosedConnection];
}

/**
 * The WebSocket side of the gateway: takes HTTP upgrades on {@link WS_PATH} from allowed origins,
 * runs a {@link ClientConnection} per socket, pings them all every interval, and closes them all
 * on shutdown.
 */
export class Gateway extends EventEmitter<GatewayEvents> {
  readonly #options: GatewayOptions;
  readonly #log: Logger;
  readonly #allowedOrigins: ReadonlySet<string>;
  readonly #wss: WebSocketServer;
  readonly #connections = new Map<string, ClientConnection>();
  /** Ready connections per user id, for MAX_CONNECTIONS_PER_USER. */
  readonly #perUser = new Map<string, number>();
  readonly #heartbeat: NodeJS.Timeout;
  #stopping = false;

  constructor(options: GatewayOptions) {
    super();
    this.#options = options;
    this.#log = options.logger.child({ module: 'gateway' });
    this.#allowedOrigins = new Set(options.allowedOrigins);
    // `closeTimeout` is new in ws 8 (the lock has 8.23; default 30 s); @types/ws does not list it yet.
    const serverOptions: ServerOptions & { closeTimeout: number } = {
      noServer: true,
      clientTracking: false,
      maxPayload: options.maxFrameBytes,
      closeTimeout: options.closeTimeoutMs ?? 5000,
      // Chat frames are small and fanned out: compressing each per socket costs more than it saves.
      perMessageDeflate: false,
    };
    this.#wss = new WebSocketServer(serverOptions);
    this.#heartbeat = setInterval(() => {
      for (const connection of this.#connections.values()) connection.heartbeat();
    }, options.pingIntervalMs);
    this.#heartbeat.unref();
  }

  /** Open connections. */
  get size(): number {
    return this.#connections.size;
  }

  /**
   * Handles an HTTP server's `upgrade` event: `/ws` from an allowed origin becomes a WebSocket;
   * anything else is answered with a problem document and closed.
   */
  readonly handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', (error) => this.#log.debug({ err: error }, 'upgrade socket error'));
    const url = new URL(req.url ?? '/', 'http://gateway');
    if (url.pathname !== WS_PATH) {
      refuse(socket, new SharedErrors.notFound(`WebSockets connect to ${WS_PATH}`));
      return;
    }
    if (!isOriginAllowed(req.headers.origin, this.#allowedOrigins)) {
      this.#log.info({ origin: req.headers.origin }, 'refused a WebSocket from a disallowed origin');
      refuse(socket, new WsGatewayErrors.originNotAllowed('this origin may not open WebSockets here'));
      return;
    }
    if (this.#stopping) {
      refuse(socket, new WsGatewayErrors.shuttingDown('this gateway is shutting down; connect again'));
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      const connectionId = randomUUID();
      const connection = new ClientConnection({
        socket: ws,
        connectionId,
        queryToken: url.searchParams.get('token') || undefined,
        verifier: this.#options.verifier,
        consumers: this.#options.consumers,
        encoder: this.#options.encoder,
        metrics: this.#options.metrics,
        logger: this.#log,
        authTimeoutMs: this.#options.authTimeoutMs,
        slowClientBufferBytes: this.#options.slowClientBufferBytes,
      });
      let userId: string | undefined;
      this.#connections.set(connectionId, connection);
      this.#options.metrics.connections.inc();
      connection.on('ready', (ready) => {
        userId = ready.userId;
        const held = (this.#perUser.get(userId) ?? 0) + 1;
        this.#perUser.set(userId, held);
        const max = this.#options.maxConnectionsPerUser ?? 20;
        if (held > max) {
          this.#log.info({ userId, held, max }, 'too many connections for one user');
          connection.close(CloseCode.tooManyConnections, `too many connections for this user (at most ${max})`);
          return;
        }
        this.emit('ready', ready);
      });
      // A close the gateway decides is counted at once: a slow client's close handshake can take
      // until the close timeout. Any other close is counted when the socket closes.
      let counted = false;
      const count = (code: number) => {
        if (counted) return;
        counted = true;
        this.#options.metrics.closes.inc({ code: closeCodeLabel(code) });
      };
      connection.on('closing', (code, reason) => {
        count(code);
        this.emit('closing', connectionId, code, reason);
      });
      connection.once('closed', (code, reason) => {
        this.#connections.delete(connectionId);
        this.#options.metrics.connections.dec();
        if (userId !== undefined) {
          const left = (this.#perUser.get(userId) ?? 1) - 1;
          if (left > 0) this.#perUser.set(userId, left);
          else this.#perUser.delete(userId);
        }
        count(code);
        this.emit('closed', { connectionId, userId, code, reason });
      });
      if (this.#stopping) connection.close(CloseCode.goingAway, 'the gateway is shutting down');
    });
  };

  /**
   * Stops taking connections and closes every socket with 1001; resolves once all are closed, which
   * the close timeout bounds.
   */
  async stop(): Promise<void> {
    this.#stopping = true;
    clearInterval(this.#heartbeat);
    const closed = [...this.#connections.values()].map(
      (connection) => new Promise<void>((resolve) => connection.once('closed', () => resolve())),
    );
    for (const connection of this.#connections.values()) {
      connection.close(CloseCode.goingAway, 'the gateway is shutting down');
    }
    await Promise.all(closed);
    this.#wss.close();
  }
}

/** Answers an upgrade request with an RFC 9457 problem document (HTTP.md) and closes the socket. */
function refuse(socket: Duplex, error: WarrenError): void {
  const { code, status, title, message: detail } = error;
  const body = JSON.stringify({ type: problemType(code), title, status, detail, code });
  socket.end(
    `HTTP/1.1 ${status} ${title}\r\nConnection: close\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
