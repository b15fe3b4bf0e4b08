import { EventEmitter } from 'node:events';
import type { ServerFrame } from '@warren/shared/contract';
import { SharedErrors } from '@warren/shared/errors';
import type { Logger } from '@warren/shared/logging';
import type { AccessTokenClaims, TokenVerifier } from '@warren/shared/tokens';
import type { ConsumeMessage } from 'amqplib';
import WebSocket, { type RawData } from 'ws';
import { CloseCode } from './close-codes.ts';
import type { ConsumerChannel, Subscription } from './consumer-channel.ts';
import type { DeliveryEncoder } from './delivery-encoder.ts';
import { encodeFrame, parseClientFrame } from './frames.ts';
import type { GatewayMetrics } from './metrics.ts';

/** setTimeout's longest delay; a later token expiry is checked again when the timer fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Options of {@link ClientConnection}. */
export interface ClientConnectionOptions {
  readonly socket: WebSocket;
  /** A fresh random id: the last part of the queue's name, and `connection_id` of `ready`. */
  readonly connectionId: string;
  /** The `?token=` of the upgrade request, if the client authenticates that way. */
  readonly queryToken: string | undefined;
  readonly verifier: Pick<TokenVerifier, 'verify'>;
  readonly consumers: Pick<ConsumerChannel, 'subscribe'>;
  readonly encoder: DeliveryEncoder;
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
  /** Time to authenticate before a 4001 close (AUTH_TIMEOUT_MS). */
  readonly authTimeoutMs: number;
  /** Unsent bytes past which the socket is closed with 4008 (SLOW_CLIENT_BUFFER_BYTES). */
  readonly slowClientBufferBytes: number;
}

/** Who a connection belongs to and its queue, once it is ready. */
export interface ReadyConnection {
  readonly connectionId: string;
  readonly userId: string;
  readonly username: string;
  readonly queue: string;
}

/** Events of a {@link ClientConnection}. */
export interface ClientConnectionEvents {
  /** The queue is consumed and `ready` was sent. */
  ready: [connection: ReadyConnection];
  /** The gateway decided to close the socket (the close handshake may take up to its close timeout). */
  closing: [code: number, reason: string];
  /** The socket is closed; `code` is the gateway's own when it closed it, else what the peer sent. */
  closed: [code: number, reason: string];
}

type State = 'unauthenticated' | 'authenticating' | 'subscribing' | 'ready' | 'closing' | 'closed';

/**
 * One WebSocket's life (WEBSOCKET.md): authentication by first frame or query token within the auth
 * timeout, the token's expiry (a fresh `auth` frame of the same user extends it), the connection's
 * queue, deliveries turned into frames, `ping` frames, and closing with the spec's codes. Whatever
 * the client sends, it gets a frame or a close, never an exception.
 */
export class ClientConnection extends EventEmitter<ClientConnectionEvents> {
  readonly #options: ClientConnectionOptions;
  readonly #socket: WebSocket;
  #log: Logger;
  #state: State = 'unauthenticated';
  #authTimer: NodeJS.Timeout | undefined;
  #expiryTimer: NodeJS.Timeout | undefined;
  #claims: AccessTokenClaims | undefined;
  /** When the newest token seen expires, in ms since 1970. */
  #expiresAt = 0;
  #subscription: Subscription | undefined;
  /** Deliveries that arrived between the consume and `ready`, sent right after it. */
  #early: ConsumeMessage[] = [];
  /** The code and reason the gateway closed with, if it did. */
  #closedBy: { code: number; reason: string } | undefined;
  /** Whether the peer answered the last WebSocket ping. */
  #alive = true;

  constructor(options: ClientConnectionOptions) {
    super();
    this.#options = options;
    this.#socket = options.socket;
    this.#log = options.logger.child({ connectionId: options.connectionId });
    this.#socket.on('message', (data, isBinary) => this.#onFrame(data, isBinary));
    this.#socket.on('pong', () => {
      this.#alive = true;
    });
    // `ws` reports protocol violations (a frame over MAX_FRAME_BYTES: 1009) here and closes itself.
    this.#socket.on('error', (error) => this.#log.debug({ err: error }, 'WebSocket error'));
    this.#socket.on('close', (code, reason) => this.#onClosed(code, reason.toString()));
    this.#authTimer = setTimeout(
      () => this.close(CloseCode.notAuthenticated, 'authentication timeout'),
      options.authTimeoutMs,
    );
    if (options.queryToken !== undefined) void this.#authenticate(options.queryToken);
  }

  /** The connection's id. */
  get id(): string {
    return this.#options.connectionId;
  }

  /**
   * One beat of the WebSocket keepalive: a peer that did not answer the previous ping is dropped
   * (its TCP connection is gone or it hangs), otherwise it is pinged again.
   */
  heartbeat(): void {
    if (this.#state === 'closed') return;
    if (!this.#alive) {
      this.#log.info('no pong since the last ping: dropping the connection');
      this.#socket.terminate();
      return;
    }
    this.#alive = false;
    this.#socket.ping();
  }

  /**
   * Closes the socket with `code` (idempotent) and cancels its consumer, so its queue goes too.
   * The close handshake is bounded by the server's close timeout.
   */
  close(code: number, reason: string): void {
    if (this.#state === 'closing' || this.#state === 'closed') return;
    this.#state = 'closing';
    this.#closedBy = { code, reason };
    this.#stopTimers();
    this.#early = [];
    void this.#subscription?.cancel();
    this.#log.info({ code, reason }, 'closing the connection');
    this.emit('closing', code, reason);
    this.#socket.close(code, reason);
  }

  #onFrame(data: RawData, isBinary: boolean): void {
    if (this.#state === 'closing' || this.#state === 'closed') return;
    const parsed = parseClientFrame(data, isBinary);
    if (!parsed.ok) {
      this.#send(parsed.error);
      return;
    }
    const { frame } = parsed;
    if (frame.type === 'ping') {
      this.#send({ type: 'pong' });
    } else if (this.#state === 'unauthenticated') {
      void this.#authenticate(frame.token);
    } else if (this.#state === 'ready') {
      void this.#refresh(frame.token);
    } else {
      this.#send({ type: 'error', code: 'AUTH_IN_PROGRESS', detail: 'wait for ready before sending a fresh token' });
    }
  }

  /** Verifies the first token, then subscribes and sends `ready`. */
  async #authenticate(token: string): Promise<void> {
    this.#state = 'authenticating';
    let claims: AccessTokenClaims;
    try {
      claims = await this.#options.verifier.verify(token);
    } catch (error) {
      // auth's keys being out of reach says nothing about the token: 1011, reconnect with backoff.
      if (error instanceof SharedErrors.signingKeysUnavailable) {
        this.close(CloseCode.unavailable, 'cannot verify tokens now');
      } else this.close(CloseCode.notAuthenticated, detailOf(error));
      return;
    }
    if (this.#state !== 'authenticating') return;
    clearTimeout(this.#authTimer);
    this.#claims = claims;
    this.#log = this.#log.child({ userId: claims.sub });
    this.#extend(claims.exp);
    if (this.#state !== 'authenticating') return;

    this.#state = 'subscribing';
    let subscription: Subscription;
    try {
      subscription = await this.#options.consumers.subscribe(claims.sub, this.id, {
        onDelivery: (message) => this.#onDelivery(message),
        onLost: (reason) => this.close(CloseCode.unavailable, reason),
      });
    } catch (error) {
      this.#log.warn({ err: error }, 'could not set up the connection queue');
      this.close(CloseCode.unavailable, 'message broker unavailable');
      return;
    }
    this.#subscription = subscription;
    if (this.#state !== 'subscribing') {
      // Closed while subscribing: close() found no subscription to cancel.
      void subscription.cancel();
      return;
    }
    this.#state = 'ready';
    this.#log.info({ queue: subscription.queue }, 'connection ready');
    this.#send({ type: 'ready', user: { id: claims.sub, username: claims.name }, connection_id: this.id });
    this.emit('ready', { connectionId: this.id, userId: claims.sub, username: claims.name, queue: subscription.queue });
    const early = this.#early;
    this.#early = [];
    for (const message of early) this.#onDelivery(message);
  }

  /** A fresh token of the same user extends the connection's life; anything else is answered. */
  async #refresh(token: string): Promise<void> {
    let claims: AccessTokenClaims;
    try {
      claims = await this.#options.verifier.verify(token);
    } catch (error) {
      this.#send({ type: 'error', code: 'TOKEN_INVALID', detail: `${detailOf(error)}; the current token still holds` });
      return;
    }
    if (claims.sub !== this.#claims?.sub) {
      this.#send({ type: 'error', code: 'WRONG_USER', detail: 'the token is for another user' });
      return;
    }
    this.#extend(claims.exp);
  }

  /** Moves the expiry to `exp` (seconds) if later, and closes with 4001 once it passes. */
  #extend(exp: number): void {
    if (this.#state === 'closing' || this.#state === 'closed') return;
    this.#expiresAt = Math.max(this.#expiresAt, exp * 1000);
    this.#armExpiry();
  }

  #armExpiry(): void {
    clearTimeout(this.#expiryTimer);
    const remaining = this.#expiresAt - Date.now();
    if (remaining <= 0) {
      this.close(CloseCode.notAuthenticated, 'token expired');
      return;
    }
    this.#expiryTimer = setTimeout(() => this.#armExpiry(), Math.min(remaining, MAX_TIMER_MS));
  }

  #onDelivery(message: ConsumeMessage): void {
    if (this.#state === 'subscribing') {
      this.#early.push(message);
      return;
    }
    if (this.#state !== 'ready') return;
    const encoded = this.#options.encoder.encode(message);
    if (!encoded.ok) {
      this.#options.metrics.invalidDeliveries.inc({ reason: encoded.code });
      this.#log.debug({ reason: encoded.code, detail: encoded.detail }, 'delivery not sent: invalid');
      return;
    }
    this.#write(encoded.frame, encoded.kind);
  }

  #send(frame: ServerFrame): void {
    this.#write(encodeFrame(frame), frame.type);
  }

  /** Hands a frame to the socket; a client that lets too much pile up is closed with 4008. */
  #write(data: string | Buffer, type: string): void {
    if (this.#state === 'closing' || this.#state === 'closed' || this.#socket.readyState !== WebSocket.OPEN) return;
    this.#socket.send(data, { binary: false });
    this.#options.metrics.framesSent.inc({ type });
    if (this.#socket.bufferedAmount > this.#options.slowClientBufferBytes) {
      this.close(CloseCode.tooSlow, 'too slow: read what you are sent');
    }
  }

  #onClosed(code: number, reason: string): void {
    const wasClosing = this.#state === 'closing';
    this.#state = 'closed';
    this.#stopTimers();
    this.#early = [];
    if (!wasClosing) void this.#subscription?.cancel();
    const closedBy = this.#closedBy ?? { code, reason };
    this.#log.debug({ code: closedBy.code, peerCode: code }, 'connection closed');
    this.emit('closed', closedBy.code, closedBy.reason);
  }

  #stopTimers(): void {
    clearTimeout(this.#authTimer);
    clearTimeout(this.#expiryTimer);
  }
}

/** The verifier's safe detail ('token expired', 'token invalid', 'signing keys unavailable'). */
function detailOf(error: unknown): string {
  return error instanceof SharedErrors.unauthorized || error instanceof SharedErrors.signingKeysUnavailable
    ? error.message
    : 'token invalid';
}
