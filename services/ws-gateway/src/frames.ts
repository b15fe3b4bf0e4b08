// Reading and writing frames; the frames themselves are the contract's (WEBSOCKET.md), declared
// once for the gateway and the web client.

import type {
  ClientFrame,
  ErrorFrame,
  EventFrame,
  FrameErrorCode,
  MessageFrame,
  ServerFrame,
} from '@warren/shared/contract';
import type { DecodedEvent, DecodedMessage } from '@warren/shared/envelope';
import type { RawData } from 'ws';

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

/**
 * The frame a decoded delivery becomes: `message` for a chat message, `event` for a session event.
 * Event bodies are relayed as published: the decoder believes events only from trusted publishers
 * (chat-api), which write each body by the contract's `SessionEventPayloads`.
 */
export function deliveryFrameOf(decoded: DecodedMessage | DecodedEvent): MessageFrame | EventFrame {
  return decoded.kind === 'message'
    ? { type: 'message', session_id: decoded.sessionId, message: decoded.message }
    : ({ type: 'event', session_id: decoded.sessionId, event: decoded.event, data: decoded.data } as EventFrame);
}

/** The text of a frame on the wire. */
export function encodeFrame(frame: ServerFrame): string {
  return JSON.stringify(frame);
}

/**
 * `text` as one complete WebSocket text frame as a server writes it (RFC 6455 §5.2: FIN, opcode 1,
 * no mask, no extension: the gateway never negotiates permessage-deflate), so a delivery fanned out
 * to many sockets is framed once and the same bytes are written to each.
 */
export function textFrameBytes(text: string): Buffer {
  const length = Buffer.byteLength(text, 'utf8');
  const header = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const bytes = Buffer.allocUnsafe(header + length);
  bytes[0] = 0x81;
  if (header === 2) bytes[1] = length;
  else if (header === 4) {
    bytes[1] = 126;
    bytes.writeUInt16BE(length, 2);
  } else {
    bytes[1] = 127;
    bytes.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    bytes.writeUInt32BE(length >>> 0, 6);
  }
  bytes.write(text, header, 'utf8');
  return bytes;
}

/** The payload of a frame made by {@link textFrameBytes} (a view, not a copy). */
export function payloadOf(frame: Buffer): Buffer {
  const marker = frame[1] ?? 0;
  return frame.subarray(marker === 126 ? 4 : marker === 127 ? 10 : 2);
}
