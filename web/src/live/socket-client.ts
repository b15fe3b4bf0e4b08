import type { ServerFrame } from '../api/types.ts';
import { SignedOutError } from '../auth/credentials.ts';
import { backoffDelay } from '../lib/backoff.ts';

/**
 * What the connection is doing: `connecting` the first time, `live` once the gateway said `ready`,
 * `reconnecting` after losing it, `offline` while the browser says there is no network.
 */
export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'offline';

/** Options of {@link SocketClient}. */
export interface SocketClientOptions {
  /** `ws://host/ws` or `wss://host/ws`. */
  readonly url: string;
  /** An access token that is still good; `renew` asks for a new one after the gateway refused it. */
  readonly token: (renew: string | undefined) => Promise<string>;
  /** Every frame but `pong`, `ready` included. */
  readonly onFrame: (frame: ServerFrame) => void;
  readonly onState: (state: ConnectionState) => void;
}

/** How often an idle connection pings (`{type:'ping'}`): browsers cannot see WebSocket pings. */
const HEARTBEAT_MS = 20_000;
/** A connection that sent nothing, not even a pong, for this long after a ping is taken for dead. */
const PONG_TIMEOUT_MS = 8000;
/** Connecting and authenticating must give `ready` within this. */
const READY_TIMEOUT_MS = 15_000;
const BACKOFF = { baseMs: 500, maxMs: 30_000 };
/** WEBSOCKET.md: the token was refused or expired. */
const NOT_AUTHENTICATED = 4001;

/**
 * One WebSocket to the gateway, kept open: it authenticates with the first frame, watches the
 * connection with its own heartbeat (a dropped network often closes nothing: Chromium holds an
 * open socket's frames while offline and reports no close), and reconnects with exponential
 * backoff and jitter; at once when the browser comes back online or the tab becomes visible.
 */
export class SocketClient {
  readonly #options: SocketClientOptions;
  #socket: WebSocket | undefined;
  #state: ConnectionState = 'connecting';
  #attempt = 0;
  #rejectedToken: string | undefined;
  #token: string | undefined;
  #stopped = false;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #heartbeatTimer: ReturnType<typeof setTimeout> | undefined;
  #deadTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #onOffline = () => this.#drop();
  readonly #onOnline = () => this.#reconnectNow();
  readonly #onVisible = () => {
    if (document.visibilityState !== 'visible') return;
    // A tab coming back may have slept through its connection's death: find out now.
    if (this.#state === 'live') this.#probe();
    else this.#reconnectNow();
  };

  constructor(options: SocketClientOptions) {
    this.#options = options;
    window.addEventListener('offline', this.#onOffline);
    window.addEventListener('online', this.#onOnline);
    document.addEventListener('visibilitychange', this.#onVisible);
    void this.#connect();
  }

  /** Hands a renewed access token to the open connection before the old one expires. */
  renewToken(token: string): void {
    this.#token = token;
    if (this.#state === 'live') this.#send({ type: 'auth', token });
  }

  /** Closes the connection for good. */
  stop(): void {
    this.#stopped = true;
    window.removeEventListener('offline', this.#onOffline);
    window.removeEventListener('online', this.#onOnline);
    document.removeEventListener('visibilitychange', this.#onVisible);
    clearTimeout(this.#retryTimer);
    this.#forget();
  }

  #setState(state: ConnectionState): void {
    if (state === this.#state) return;
    this.#state = state;
    this.#options.onState(state);
  }

  async #connect(): Promise<void> {
    if (this.#stopped) return;
    let token: string;
    try {
      token = await this.#options.token(this.#rejectedToken);
    } catch (error) {
      // Without a login there is nothing to connect for (the app shows the login page).
      if (error instanceof SignedOutError) this.stop();
      else this.#retry();
      return;
    }
    if (this.#stopped || this.#socket !== undefined) return;
    this.#rejectedToken = undefined;
    this.#token = token;
    const socket = new WebSocket(this.#options.url);
    this.#socket = socket;
    this.#expectLifeWithin(READY_TIMEOUT_MS);
    socket.onopen = () => this.#send({ type: 'auth', token });
    socket.onmessage = (event) => this.#receive(event.data);
    socket.onclose = (event) => {
      if (this.#socket !== socket) return;
      this.#socket = undefined;
      if (event.code === NOT_AUTHENTICATED) this.#rejectedToken = this.#token;
      this.#drop();
    };
  }

  #receive(data: unknown): void {
    if (typeof data !== 'string') return;
    let frame: ServerFrame;
    try {
      frame = JSON.parse(data) as ServerFrame;
    } catch {
      return;
    }
    if (this.#state === 'live') this.#scheduleHeartbeat();
    if (frame.type === 'ready') {
      this.#attempt = 0;
      this.#setState('live');
      this.#scheduleHeartbeat();
    }
    if (frame.type !== 'pong') this.#options.onFrame(frame);
  }

  #send(frame: { type: 'auth'; token: string } | { type: 'ping' }): void {
    if (this.#socket?.readyState === WebSocket.OPEN) this.#socket.send(JSON.stringify(frame));
  }

  /** Pings after a quiet while; anything received proves the connection alive and starts over. */
  #scheduleHeartbeat(): void {
    clearTimeout(this.#heartbeatTimer);
    clearTimeout(this.#deadTimer);
    this.#heartbeatTimer = setTimeout(() => this.#probe(), HEARTBEAT_MS);
  }

  /** Pings, and takes the connection for dead if nothing comes back in time. */
  #probe(): void {
    this.#send({ type: 'ping' });
    this.#expectLifeWithin(PONG_TIMEOUT_MS);
  }

  #expectLifeWithin(ms: number): void {
    clearTimeout(this.#deadTimer);
    this.#deadTimer = setTimeout(() => this.#drop(), ms);
  }

  /** Lets go of the socket without waiting for its close: a dead network may never deliver one. */
  #forget(): void {
    clearTimeout(this.#heartbeatTimer);
    clearTimeout(this.#deadTimer);
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket === undefined) return;
    socket.onopen = null;
    socket.onmessage = null;
    socket.onclose = null;
    try {
      socket.close(1000);
    } catch {
      // Closing a socket that never opened may throw in some browsers; it is gone either way.
    }
  }

  #drop(): void {
    if (this.#stopped) return;
    this.#forget();
    this.#retry();
  }

  /** The state while waiting to connect again: `offline` while the browser says so. */
  #waiting(): ConnectionState {
    if (!navigator.onLine) return 'offline';
    return this.#state === 'connecting' ? 'connecting' : 'reconnecting';
  }

  /**
   * Connects again after a backoff delay. Also while offline (an attempt then fails at once), in
   * case the browser's `online` event never comes; when it does, the wait is cut short.
   */
  #retry(): void {
    if (this.#stopped) return;
    this.#setState(this.#waiting());
    clearTimeout(this.#retryTimer);
    // A refused token is renewed and tried at once; the second refusal in a row backs off.
    const delay = this.#rejectedToken !== undefined && this.#attempt === 0 ? 0 : backoffDelay(this.#attempt, BACKOFF);
    this.#attempt += 1;
    this.#retryTimer = setTimeout(() => void this.#connect(), delay);
  }

  #reconnectNow(): void {
    if (this.#stopped || this.#state === 'live' || this.#socket !== undefined) return;
    clearTimeout(this.#retryTimer);
    this.#setState(this.#waiting());
    void this.#connect();
  }
}
