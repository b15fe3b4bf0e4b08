import type { Duplex } from 'node:stream';
import type { ServerFrame } from '@warren/shared/contract';
import { SharedErrors } from '@warren/shared/errors';
import type { Logger } from '@warren/shared/logging';
import type { AccessTokenClaims, TokenVerifier } from '@warren/shared/tokens';
import type { ConsumeMessage } from 'amqplib';
import WebSocket, { type RawData } from 'ws';
import { CloseCode } from './close-codes.ts';
import type { ConsumerChannel, Subscription, SubscriptionHandler } from './consumer-channel.ts';
import type { DeliveryEncoder } from './delivery-encoder.ts';
import type { EndedLogins } from './ended-logins.ts';
import { encodeFrame, parseClientFrame } from './frames.ts';
import type { AuthCloseReason, GatewayMetrics } from './metrics.ts';
import type { BatchedSocket, WriteBatch } from './write-batch.ts';

/** The close reason and error detail of an expired token (the verifier's own words). */
const EXPIRED = 'token expired';

/** The close reason of a socket whose login ended (signed out). */
export const LOGIN_ENDED = 'login ended';

/** setTimeout's longest delay; a later token expiry is checked again when the timer fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Who a connection belongs to and its queue, once it is ready. */
export interface ReadyConnection {
  readonly connectionId: string;
  readonly userId: string;
  readonly username: string;
  readonly queue: string;
}

/**
 * What every connection of a gateway shares: one object for all of them, so an idle connection
 * holds its own state and nothing else (no options object, logger or closures of its own).
 */
export interface ConnectionContext {
  readonly verifier: Pick<TokenVerifier, 'verify'>;
  readonly consumers: Pick<ConsumerChannel, 'subscribe'>;
  readonly encoder: DeliveryEncoder;
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
  readonly writes: WriteBatch;
  /** Logins whose end was heard or read from auth: their tokens are refused. */
  readonly endedLogins: Pick<EndedLogins, 'has' | 'filled'>;
  /** Tries to read auth's record of ended logins now (for a token that finds it not read yet). Never rejects. */
  readEndedLogins(): Promise<void>;
  /** Time to authenticate before a 4001 close (AUTH_TIMEOUT_MS). */
  readonly authTimeoutMs: number;
  /** Unsent bytes past which the socket is closed with 4008 (SLOW_CLIENT_BUFFER_BYTES). */
  readonly slowClientBufferBytes: number;
  /** The queue is consumed and `ready` was sent. */
  onReady(connection: ClientConnection, ready: ReadyConnection): void;
  /** The connection's `sid` changed from `previous` (authenticated, or a fresh token of another login). */
  onSid(connection: ClientConnection, previous: string | undefined): void;
  /** The gateway decided to close the socket (the close handshake may take up to its close timeout). */
  onClosing(connection: ClientConnection, code: number, reason: string): void;
  /**
   * The socket is closed; `code` is the gateway's own when it closed it (`byGateway`), else what
   * the peer sent.
   */
  onClosed(connection: ClientConnection, code: number, reason: string, byGateway: boolean): void;
}

type State = 'unauthenticated' | 'authenticating' | 'subscribing' | 'ready' | 'closing' | 'closed';

/**
 * One WebSocket's life (WEBSOCKET.md): authentication by first frame or query token within the auth
 * timeout, the token's expiry (a fresh `auth` frame of the same user extends it), the connection's
 * queue, deliveries turned into frames, `ping` frames, and closing with the spec's codes. Whatever
 * the client sends, it gets a frame or a close, never an exception.
 *
 * Deliveries are written as the encoder's ready-made WebSocket frames straight to the TCP socket
 * under `ws` (the same bytes `ws.send` would write: no extension is negotiated), batched per turn by
 * the shared {@link WriteBatch}; every other frame goes through `ws.send`.
 */
export class ClientConnection implements SubscriptionHandler, BatchedSocket {
  /** A fresh random id: the last part of the queue's name, and `connection_id` of `ready`. */
  readonly id: string;
  readonly #context: ConnectionContext;
  readonly #socket: WebSocket;
  /** The TCP socket under `#socket`. */
  readonly stream: Duplex;
  #state: State = 'unauthenticated';
  /** The auth timeout until authenticated, then the token's expiry. */
  #timer: NodeJS.Timeout | undefined;
  #userId: string | undefined;
  /** The login of the token it authenticated with, or of the last fresh token it accepted. */
  #sid: string | undefined;
  /** When the newest token seen expires, in ms since 1970. */
  #expiresAt = 0;
  #subscription: Subscription | undefined;
  /** Deliveries that arrived between the consume and `ready`, sent right after it. */
  #early: ConsumeMessage[] | undefined;
  /** The code and reason the gateway closed with, if it did. */
  #closedBy: { code: number; reason: string } | undefined;
  /** Whether the peer answered the last WebSocket ping. */
  #alive = true;
  #wasReady = false;

  /**
   * @param stream the TCP socket the upgrade came on, which `socket` runs on.
   * @param queryToken the `?token=` of the upgrade request, if the client authenticates that way.
   */
  constructor(
    context: ConnectionContext,
    socket: WebSocket,
    stream: Duplex,
    connectionId: string,
    queryToken: string | undefined,
  ) {
    this.id = connectionId;
    this.#context = context;
    this.#socket = socket;
    this.stream = stream;
    socket.on('message', onMessage);
    socket.on('pong', onPong);
    // `ws` reports protocol violations (a frame over MAX_FRAME_BYTES: 1009) here and closes itself.
    socket.on('error', onError);
    socket.on('close', onClose);
    connections.set(socket, this);
    this.#timer = setTimeout(onAuthTimeout, context.authTimeoutMs, this);
    if (queryToken !== undefined) void this.#authenticate(queryToken);
  }

  /** The authenticated user's id, once authenticated. */
  get userId(): string | undefined {
    return this.#userId;
  }

  /** The `sid` of its current token, once authenticated (none for a token without one). */
  get sid(): string | undefined {
    return this.#sid;
  }

  /** Whether it got as far as `ready` (it may be closed since). */
  get wasReady(): boolean {
    return this.#wasReady;
  }

  /**
   * One beat of the WebSocket keepalive: a peer that did not answer the previous ping is dropped
   * (its TCP connection is gone or it hangs), otherwise it is pinged again.
   */
  heartbeat(): void {
    if (this.#state === 'closed') return;
    if (!this.#alive) {
      this.#context.logger.info({ connectionId: this.id }, 'no pong since the last ping: dropping the connection');
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
    clearTimeout(this.#timer);
    this.#early = undefined;
    void this.#subscription?.cancel();
    this.#context.logger.info({ connectionId: this.id, userId: this.#userId, code, reason }, 'closing the connection');
    this.#context.onClosing(this, code, reason);
    this.#socket.close(code, reason);
  }

  /** Closes the socket with 4001, counted under `reason`. */
  refuse(reason: AuthCloseReason, detail: string): void {
    if (this.#state === 'closing' || this.#state === 'closed') return;
    this.#context.metrics.authCloses.inc({ reason });
    this.close(CloseCode.notAuthenticated, detail);
  }

  /** @internal a delivery from the connection's queue. */
  onDelivery(message: ConsumeMessage): void {
    if (this.#state !== 'ready') {
      if (this.#state !== 'subscribing') return;
      if (this.#early === undefined) this.#early = [message];
      else this.#early.push(message);
      return;
    }
    const encoded = this.#context.encoder.encode(message);
    if (!encoded.ok) {
      this.#context.metrics.invalidDeliveries.inc({ reason: encoded.code });
      this.#context.logger.debug(
        { connectionId: this.id, reason: encoded.code, detail: encoded.detail },
        'delivery not sent: invalid',
      );
      return;
    }
    if (this.#socket.readyState !== WebSocket.OPEN) return;
    this.#context.writes.write(this, encoded.wire);
    this.#context.metrics.framesSent.add(encoded.kind);
  }

  /** @internal the batch's writes went out: a client that lets too much pile up is closed with 4008. */
  flushed(): void {
    if (this.#state === 'closing' || this.#state === 'closed') return;
    if (this.#socket.bufferedAmount > this.#context.slowClientBufferBytes) {
      this.close(CloseCode.tooSlow, 'too slow: read what you are sent');
    }
  }

  /** @internal the subscription ended without being cancelled. */
  onLost(reason: string): void {
    this.close(CloseCode.unavailable, reason);
  }

  /** @internal */
  onFrame(data: RawData, isBinary: boolean): void {
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

  /** @internal a protocol violation by the peer; `ws` closes the socket itself. */
  onSocketError(error: Error): void {
    this.#context.logger.debug({ connectionId: this.id, err: error }, 'WebSocket error');
  }

  /** @internal */
  onPong(): void {
    this.#alive = true;
  }

  /** Verifies the first token, then subscribes and sends `ready`. */
  async #authenticate(token: string): Promise<void> {
    this.#state = 'authenticating';
    let claims: AccessTokenClaims;
    try {
      claims = await this.#context.verifier.verify(token);
    } catch (error) {
      // auth's keys being out of reach says nothing about the token: 1011, reconnect with backoff.
      if (error instanceof SharedErrors.signingKeysUnavailable) {
        this.close(CloseCode.unavailable, 'cannot verify tokens now');
      } else {
        const detail = detailOf(error);
        this.refuse(detail === EXPIRED ? 'token_expired' : 'token_invalid', detail);
      }
      return;
    }
    if (this.#state !== 'authenticating') return;
    // Until auth's record of ended logins was read, a token of a login that ended before this gateway
    // listened cannot be told apart: an outage, as when auth's keys are out of reach.
    if (!this.#context.endedLogins.filled) {
      await this.#context.readEndedLogins();
      if (this.#state !== 'authenticating') return;
      if (!this.#context.endedLogins.filled) {
        this.close(CloseCode.unavailable, 'cannot verify tokens now');
        return;
      }
    }
    // Checked after the verification, so a login.ended heard while it ran is not missed either.
    if (this.#ended(claims.sid)) {
      this.refuse('login_ended', LOGIN_ENDED);
      return;
    }
    clearTimeout(this.#timer);
    this.#userId = claims.sub;
    this.#setSid(claims.sid);
    this.#extend(claims.exp);
    if (this.#state !== 'authenticating') return;

    this.#state = 'subscribing';
    let subscription: Subscription;
    try {
      subscription = await this.#context.consumers.subscribe(claims.sub, this.id, this);
    } catch (error) {
      this.#context.logger.warn(
        { connectionId: this.id, userId: claims.sub, err: error },
        'could not set up the connection queue',
      );
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
    this.#wasReady = true;
    this.#context.logger.info(
      { connectionId: this.id, userId: claims.sub, queue: subscription.queue },
      'connection ready',
    );
    this.#send({ type: 'ready', user: { id: claims.sub, username: claims.name }, connection_id: this.id });
    this.#context.onReady(this, {
      connectionId: this.id,
      userId: claims.sub,
      username: claims.name,
      queue: subscription.queue,
    });
    const early = this.#early;
    this.#early = undefined;
    if (early !== undefined) for (const message of early) this.onDelivery(message);
  }

  /** A fresh token of the same user extends the connection's life; anything else is answered. */
  async #refresh(token: string): Promise<void> {
    let claims: AccessTokenClaims;
    try {
      claims = await this.#context.verifier.verify(token);
    } catch (error) {
      this.#send({ type: 'error', code: 'TOKEN_INVALID', detail: `${detailOf(error)}; the current token still holds` });
      return;
    }
    if (claims.sub !== this.#userId) {
      this.#send({ type: 'error', code: 'WRONG_USER', detail: 'the token is for another user' });
      return;
    }
    if (this.#ended(claims.sid)) {
      this.#send({ type: 'error', code: 'TOKEN_INVALID', detail: `${LOGIN_ENDED}; the current token still holds` });
      return;
    }
    this.#setSid(claims.sid);
    this.#extend(claims.exp);
  }

  #ended(sid: string | undefined): boolean {
    return sid !== undefined && this.#context.endedLogins.has(sid);
  }

  #setSid(sid: string | undefined): void {
    if (sid === this.#sid || this.#state === 'closing' || this.#state === 'closed') return;
    const previous = this.#sid;
    this.#sid = sid;
    this.#context.onSid(this, previous);
  }

  /** Moves the expiry to `exp` (seconds) if later, and closes with 4001 once it passes. */
  #extend(exp: number): void {
    if (this.#state === 'closing' || this.#state === 'closed') return;
    this.#expiresAt = Math.max(this.#expiresAt, exp * 1000);
    this.armExpiry();
  }

  /** @internal (re)arms the expiry timer, or closes with 4001 when the token has expired. */
  armExpiry(): void {
    clearTimeout(this.#timer);
    const remaining = this.#expiresAt - Date.now();
    if (remaining <= 0) {
      this.refuse('token_expired', EXPIRED);
      return;
    }
    this.#timer = setTimeout(onExpiryTimer, Math.min(remaining, MAX_TIMER_MS), this);
  }

  #send(frame: ServerFrame): void {
    if (this.#state === 'closing' || this.#state === 'closed' || this.#socket.readyState !== WebSocket.OPEN) return;
    this.#socket.send(encodeFrame(frame), { binary: false });
    this.#context.metrics.framesSent.add(frame.type);
    // While a batch holds the socket corked, its flush judges the backlog.
    if (this.stream.writableCorked === 0) this.flushed();
  }

  /** @internal */
  onClosed(code: number, reason: string): void {
    const wasClosing = this.#state === 'closing';
    this.#state = 'closed';
    connections.delete(this.#socket);
    clearTimeout(this.#timer);
    this.#early = undefined;
    if (!wasClosing) void this.#subscription?.cancel();
    const closedBy = this.#closedBy ?? { code, reason };
    this.#context.logger.debug({ connectionId: this.id, code: closedBy.code, peerCode: code }, 'connection closed');
    this.#context.onClosed(this, closedBy.code, closedBy.reason, this.#closedBy !== undefined);
  }
}

/**
 * The connection of each socket, so the socket's listeners can be shared functions rather than
 * closures made per connection.
 */
const connections = new WeakMap<WebSocket, ClientConnection>();

function onMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
  connections.get(this)?.onFrame(data, isBinary);
}

function onPong(this: WebSocket): void {
  connections.get(this)?.onPong();
}

function onError(this: WebSocket, error: Error): void {
  connections.get(this)?.onSocketError(error);
}

function onClose(this: WebSocket, code: number, reason: Buffer): void {
  connections.get(this)?.onClosed(code, reason.toString());
}

function onAuthTimeout(connection: ClientConnection): void {
  connection.refuse('auth_timeout', 'authentication timeout');
}

function onExpiryTimer(connection: ClientConnection): void {
  connection.armExpiry();
}

/** The verifier's safe detail ('token expired', 'token invalid', 'signing keys unavailable'). */
function detailOf(error: unknown): string {
  return error instanceof SharedErrors.unauthorized || error instanceof SharedErrors.signingKeysUnavailable
    ? error.message
    : 'token invalid';
}
