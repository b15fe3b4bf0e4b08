/**
 * The WebSocket close codes the gateway uses (WEBSOCKET.md "Closing"), stable: clients decide
 * what to do from the code alone, so a number never changes meaning.
 */
export const CloseCode = {
  /** The gateway is shutting down: reconnect, to another instance. */
  goingAway: 1001,
  /** The user already holds MAX_CONNECTIONS_PER_USER connections: close another tab, then reconnect. */
  tooManyConnections: 1008,
  /** A frame over MAX_FRAME_BYTES; sent by `ws` itself, counted here. */
  messageTooBig: 1009,
  /**
   * The gateway lost the broker or this connection's queue, or cannot reach auth's keys to verify
   * a token: reconnect with backoff.
   */
  unavailable: 1011,
  /** Not authenticated in time, token invalid, or token expired: get a new token, reconnect. */
  notAuthenticated: 4001,
  /** The client did not read what it was sent: reconnect, fill the gap from history. */
  tooSlow: 4008,
} as const;

/** One of the gateway's own close codes. */
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/**
 * Close codes worth a metric label of their own: the gateway's, the ones peers commonly send
 * (1000 normal, 1005 no code) and 1006 (the connection dropped without a close frame, or a peer
 * that stopped answering pings). Anything else a client sends is `other`, so a client cannot make
 * up label values.
 */
const LABELLED = new Set<number>([1000, 1001, 1005, 1006, 1008, 1009, 1011, 4001, 4008]);

/** The `code` label of `warren_ws_closes_total` for a close code. */
export function closeCodeLabel(code: number): string {
  return LABELLED.has(code) ? String(code) : 'other';
}
