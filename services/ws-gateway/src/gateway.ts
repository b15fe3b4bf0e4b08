import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WarrenError } from '@warren/shared/errors';
import { SharedErrors } from '@warren/shared/errors';
import { PROBLEM_CONTENT_TYPE, problemType } from '@warren/shared/http';
import type { Logger } from '@warren/shared/logging';
import type { TokenVerifier } from '@warren/shared/tokens';
import { type ServerOptions, type WebSocket, WebSocketServer } from 'ws';
import { ClientConnection, type ConnectionContext, LOGIN_ENDED, type ReadyConnection } from './client-connection.ts';
import { CloseCode, closeCodeLabel } from './close-codes.ts';
import type { ConsumerChannel } from './consumer-channel.ts';
import type { DeliveryEncoder } from './delivery-encoder.ts';
import type { EndedLogins } from './ended-logins.ts';
import { WsGatewayErrors } from './errors.ts';
import type { GatewayMetrics } from './metrics.ts';
import { isOriginAllowed } from './origin-policy.ts';
import { WriteBatch } from './write-batch.ts';

/** The path WebSockets connect to (WEBSOCKET.md). */
export const WS_PATH = '/ws';

/** Options of {@link Gateway}; the service fills them from its configuration. */
export interface GatewayOptions {
  readonly verifier: Pick<TokenVerifier, 'verify'>;
  readonly consumers: Pick<ConsumerChannel, 'subscribe'>;
  readonly encoder: DeliveryEncoder;
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
  /**
   * Logins whose end was heard or read from auth: their tokens are refused with 4001; until it is
   * `filled`, no token is admitted (1011). @defaultValue none, filled
   */
  readonly endedLogins?: Pick<EndedLogins, 'has' | 'filled'>;
  /**
   * Tries to read auth's record of ended logins now, for a token that finds `endedLogins` not filled
   * yet. Never rejects. @defaultValue nothing to read
   */
  readonly readEndedLogins?: () => Promise<void>;
  /** Told when a user's first socket becomes ready and when their last one closes. @defaultValue none */
  readonly presence?: PresenceSink;
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

/** What hears of users coming and going on this gateway (the presence reporter). */
export interface PresenceSink {
  /** The user's first socket here became ready. */
  online(userId: string): void;
  /** The user's last ready socket here closed. */
  offline(userId: string): void;
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
  readonly #connections = new Set<ClientConnection>();
  /** Ready connections per user id, for MAX_CONNECTIONS_PER_USER. */
  readonly #perUser = new Map<string, number>();
  /** Connections by the `sid` of their current token, to close a login's sockets when it ends. */
  readonly #bySid = new Map<string, Set<ClientConnection>>();
  readonly #heartbeat: NodeJS.Timeout;
  readonly #context: ConnectionContext;
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
      // ClientConnection also relies on it: it writes uncompressed frames straight to the socket.
      perMessageDeflate: false,
    };
    this.#wss = new WebSocketServer(serverOptions);
    this.#heartbeat = setInterval(() => {
      for (const connection of this.#connections) connection.heartbeat();
    }, options.pingIntervalMs);
    this.#heartbeat.unref();
    const max = options.maxConnectionsPerUser ?? 20;
    const presence = options.presence;
    this.#context = {
      verifier: options.verifier,
      consumers: options.consumers,
      encoder: options.encoder,
      metrics: options.metrics,
      logger: this.#log,
      writes: new WriteBatch(),
      endedLogins: options.endedLogins ?? { has: () => false, filled: true },
      readEndedLogins: options.readEndedLogins ?? (() => Promise.resolve()),
      authTimeoutMs: options.authTimeoutMs,
      slowClientBufferBytes: options.slowClientBufferBytes,
      onReady: (connection, ready) => {
        const held = (this.#perUser.get(ready.userId) ?? 0) + 1;
        this.#perUser.set(ready.userId, held);
        if (held === 1) presence?.online(ready.userId);
        if (held > max) {
          this.#log.info({ userId: ready.userId, held, max }, 'too many connections for one user');
          connection.close(CloseCode.tooManyConnections, `too many connections for this user (at most ${max})`);
          return;
        }
        this.emit('ready', ready);
      },
      onSid: (connection, previous) => {
        if (previous !== undefined) this.#unindex(connection, previous);
        const { sid } = connection;
        if (sid === undefined) return;
        const held = this.#bySid.get(sid);
        if (held === undefined) this.#bySid.set(sid, new Set([connection]));
        else held.add(connection);
      },
      // A close the gateway decides is counted at once: a slow client's close handshake can take
      // until the close timeout. Any other close is counted when the socket closes.
      onClosing: (connection, code, reason) => {
        this.#options.metrics.closes.inc({ code: closeCodeLabel(code) });
        this.emit('closing', connection.id, code, reason);
      },
      onClosed: (connection, code, reason, byGateway) => {
        this.#connections.delete(connection);
        this.#options.metrics.connections.dec();
        const { userId } = connection;
        // Counted as ready only once it got past onReady: it is in #perUser iff it had a queue.
        if (userId !== undefined && connection.wasReady) {
          const left = (this.#perUser.get(userId) ?? 1) - 1;
          if (left > 0) this.#perUser.set(userId, left);
          else {
            this.#perUser.delete(userId);
            presence?.offline(userId);
          }
        }
        if (connection.sid !== undefined) this.#unindex(connection, connection.sid);
        if (!byGateway) this.#options.metrics.closes.inc({ code: closeCodeLabel(code) });
        this.emit('closed', { connectionId: connection.id, userId, code, reason });
      },
    };
  }

  /** Open connections. */
  get size(): number {
    return this.#connections.size;
  }

  /** The users holding at least one ready socket here now. */
  heldUsers(): IterableIterator<string> {
    return this.#perUser.keys();
  }

  /**
   * The login `sid` ended (a trusted `login.ended`): closes every socket whose current token is of
   * it with 4001. @returns how many sockets of it were open.
   */
  endLogin(sid: string): number {
    const held = this.#bySid.get(sid);
    if (held === undefined) return 0;
    // Closing does not unindex (that waits for the socket to close): iterate a copy all the same.
    const closing = [...held];
    for (const connection of closing) connection.refuse('login_ended', LOGIN_ENDED);
    return closing.length;
  }

  #unindex(connection: ClientConnection, sid: string): void {
    const held = this.#bySid.get(sid);
    if (held === undefined) return;
    held.delete(connection);
    if (held.size === 0) this.#bySid.delete(sid);
  }

  /**
   * Handles an HTTP server's `upgrade` event: `/ws` from an allowed origin becomes a WebSocket;
   * anything else is answered with a problem document and closed.
   */
  readonly handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', this.#onUpgradeSocketError);
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
    const queryToken = url.searchParams.get('token') || undefined;
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws, socket, queryToken));
  };

  #accept(ws: WebSocket, socket: Duplex, queryToken: string | undefined): void {
    const connection = new ClientConnection(this.#context, ws, socket, randomUUID(), queryToken);
    this.#connections.add(connection);
    this.#options.metrics.connections.inc();
    if (this.#stopping) connection.close(CloseCode.goingAway, 'the gateway is shutting down');
  }

  readonly #onUpgradeSocketError = (error: Error): void => {
    this.#log.debug({ err: error }, 'upgrade socket error');
  };

  /**
   * Stops taking connections and closes every socket with 1001; resolves once all are closed, which
   * the close timeout bounds.
   */
  async stop(): Promise<void> {
    this.#stopping = true;
    clearInterval(this.#heartbeat);
    const closed = new Promise<void>((resolve) => {
      if (this.#connections.size === 0) resolve();
      const onClosed = () => {
        if (this.#connections.size > 0) return;
        this.off('closed', onClosed);
        resolve();
      };
      this.on('closed', onClosed);
    });
    for (const connection of this.#connections) {
      connection.close(CloseCode.goingAway, 'the gateway is shutting down');
    }
    await closed;
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
