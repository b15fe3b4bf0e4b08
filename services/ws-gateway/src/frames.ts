import type { ChatMessage, DecodedEvent, DecodedMessage, SessionEventType } from '@warren/shared';
import type { RawData } from 'ws';

/** `{ type: 'ready' }`: the connection's queue is bound and consumed; what is published from now on arrives. */
export interface ReadyFrame {
  readonly type: 'ready';
  readonly user: { readonly id: string; readonly username: string };
  readonly connection_id: string;
}

/** `{ type: 'message' }`: a chat message, as HTTP.md's `Message`. */
export interface MessageFrame {
  readonly type: 'message';
  readonly session_id: string;
  readonly message: ChatMessage;
}

/** `{ type: 'event' }`: a session event of AMQP.md, its body as `data`. */
export interface EventFrame {
  readonly type: 'event';
  readonly session_id: string;
  readonly event: SessionEventType;
  readonly data: unknown;
}

/** The answer to `{ type: 'ping' }`. */
export interface PongFrame {
  readonly type: 'pong';
}

/** A frame the gateway could not take; the connection stays. */
export interface ErrorFrame {
  readonly type: 'error';
  readonly code: FrameErrorCode;
  readonly detail: string;
}

/** Every frame the gateway sends. */
export type ServerFrame = ReadyFrame | MessageFrame | EventFrame | PongFrame | ErrorFrame;

/** Every frame the gateway takes from a client. */
export type ClientFrame = { readonly type: 'auth'; readonly token: string } | { readonly type: 'ping' };

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

/** What {@link parseClientFrame} makes of a frame: the frame, or the error frame to answer. */
export type ParsedClientFrame =
  | { readonly ok: true; readonly frame: ClientFrame }
  | { readonly ok: false; readonly error: ErrorFrame };

const refuse = (code: FrameErrorCode, detail: string): ParsedClientFrame => ({
  ok: false,
  error: { type: 'error', code, detail },
});

/** The bytes of a frame as `ws` hands them over (one Buffer with the default `binaryType`). */
function bytesOf(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}

/**
 * Reads a client frame. Never throws: whatever a client sends is either a frame or the error frame
 * to answer it with. Fields other than the ones a type needs are ignored, so clients may add their
 * own (a request id) without breaking.
 */
export function parseClientFrame(data: RawData, isBinary: boolean): ParsedClientFrame {
  if (isBinary) return refuse('BINARY_FRAME', 'frames are JSON text');
  let value: unknown;
  try {
    // `ws` has already checked the text is valid UTF-8.
    value = JSON.parse(bytesOf(data).toString('utf8'));
  } catch {
    return refuse('INVALID_JSON', 'the frame is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return refuse('INVALID_JSON', 'the frame is not a JSON object');
  }
  const { type, token } = value as { type?: unknown; token?: unknown };
  switch (type) {
    case 'ping':
      return { ok: true, frame: { type: 'ping' } };
    case 'auth':
      if (typeof token !== 'string' || token === '') return refuse('INVALID_FRAME', 'auth needs a token string');
      return { ok: true, frame: { type: 'auth', token } };
    default:
      return refuse('UNKNOWN_FRAME_TYPE', 'type must be auth or ping');
  }
}

/** The frame a decoded delivery becomes: `message` for a chat message, `event` for a session event. */
export function deliveryFrameOf(decoded: DecodedMessage | DecodedEvent): MessageFrame | EventFrame {
  return decoded.kind === 'message'
    ? { type: 'message', session_id: decoded.sessionId, message: decoded.message }
    : { type: 'event', session_id: decoded.sessionId, event: decoded.event, data: decoded.data };
}

/** The text of a frame on the wire. */
export function encodeFrame(frame: ServerFrame): string {
  return JSON.stringify(frame);
}
