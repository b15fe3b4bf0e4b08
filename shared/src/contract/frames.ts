// Types only: the web client imports this module, so it must never pull runtime code in.
import type { SessionEvent } from './events.ts';
import type { Message, UserRef } from './http.ts';

/** `{ type: 'ready' }`: the connection's queue is bound and consumed; what is published from now on arrives. */
export interface ReadyFrame {
  readonly type: 'ready';
  readonly user: UserRef;
  readonly connection_id: string;
}

/** `{ type: 'message' }`: a chat message, as HTTP.md's `Message`. */
export interface MessageFrame {
  readonly type: 'message';
  readonly session_id: string;
  readonly message: Message;
}

/** `{ type: 'event' }`: a session event of AMQP.md, its body as `data`. */
export type EventFrame = { readonly type: 'event'; readonly session_id: string } & SessionEvent;

/** The answer to `{ type: 'ping' }`. */
export interface PongFrame {
  readonly type: 'pong';
}

/**
 * The `code` of an error frame, stable (clients may branch on it), UPPER_SNAKE like the HTTP API's
 * problem codes:
 * - `INVALID_JSON`: the text frame is not a JSON object;
 * - `BINARY_FRAME`: frames are JSON text, never binary;
 * - `UNKNOWN_FRAME_TYPE`: `type` is not `auth` or `ping`;
 * - `INVALID_FRAME`: a known type with a missing or mistyped field (`auth` without a token string);
 * - `AUTH_IN_PROGRESS`: an `auth` frame while the first authentication is still being checked;
 * - `TOKEN_INVALID`: a fresh token that does not verify; the connection keeps its current token;
 * - `WRONG_USER`: a fresh token of another user; the connection keeps its current token.
 */
export type FrameErrorCode =
  | 'INVALID_JSON'
  | 'BINARY_FRAME'
  | 'UNKNOWN_FRAME_TYPE'
  | 'INVALID_FRAME'
  | 'AUTH_IN_PROGRESS'
  | 'TOKEN_INVALID'
  | 'WRONG_USER';

/** A frame the gateway could not take; the connection stays. */
export interface ErrorFrame {
  readonly type: 'error';
  readonly code: FrameErrorCode;
  readonly detail: string;
}

/** Every frame the gateway sends (WEBSOCKET.md "Server → client"). */
export type ServerFrame = ReadyFrame | MessageFrame | EventFrame | PongFrame | ErrorFrame;

/** First authentication, or a fresh token of the same user before the old one expires. */
export interface AuthFrame {
  readonly type: 'auth';
  readonly token: string;
}

/** Application-level keepalive; answered with `pong`. */
export interface PingFrame {
  readonly type: 'ping';
}

/** Every frame the gateway takes from a client (WEBSOCKET.md "Client → server"). */
export type ClientFrame = AuthFrame | PingFrame;
