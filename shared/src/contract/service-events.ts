// Types only: the web client imports this module, so it must never pull runtime code in.

/** `login.ended` on `warren.events` (AMQP.md): a login ended; access tokens with its `sid` are refused from then on. */
export interface LoginEndedEvent {
  readonly user_id: string;
  /** The `sid` claim of the login's access tokens: its refresh-token family. */
  readonly sid: string;
  /** ISO-8601. */
  readonly ended_at: string;
}

/**
 * `presence.<instanceId>` on `warren.events`: what one ws-gateway instance reports of the users it
 * holds sockets for (the shape is Warren's own; docs/ws-gateway.md):
 * - `changes`: users whose first socket on this instance opened (`online`) or whose last one
 *   closed (`offline`) since the previous report;
 * - `heartbeat`: every user it holds a socket for now (`online`; `offline` empty), sent every
 *   `heartbeat_ms`, so a reader that starts late or missed a report catches up, and an instance
 *   that stops sending is known to be gone;
 * - `goodbye`: it is shutting down; every user it held is offline as far as it is concerned.
 */
export interface PresenceReport {
  /** The reporting ws-gateway instance (a UUID, new at each start). */
  readonly instance: string;
  readonly kind: 'changes' | 'heartbeat' | 'goodbye';
  /** User ids. */
  readonly online: readonly string[];
  /** User ids. */
  readonly offline: readonly string[];
  /** ISO-8601, when the instance sent it. */
  readonly at: string;
  /** How often this instance sends a heartbeat, in milliseconds. */
  readonly heartbeat_ms: number;
}
