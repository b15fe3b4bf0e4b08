/**
 * zod schemas of the WebSocket frames (WEBSOCKET.md), each checked at compile time against its
 * type in `../contract/frames.ts`.
 */
import { z } from 'zod';
import type { SessionEventName } from '../contract/events.ts';
import type {
  AuthFrame,
  ErrorFrame,
  EventFrame,
  FrameErrorCode,
  MessageFrame,
  PingFrame,
  PongFrame,
  ReadyFrame,
} from '../contract/frames.ts';
import { sessionEventSchemas } from './event-schemas.ts';
import { idSchema, messageSchema, userRefSchema } from './http-schemas.ts';
import { exactly } from './same-type.ts';

/** `ready`: the connection's queue is bound and consumed. */
export const readyFrameSchema = exactly<ReadyFrame>()(
  z.object({ type: z.literal('ready'), user: userRefSchema, connection_id: z.string().min(1) }),
);

/** `message`: a chat message. */
export const messageFrameSchema = exactly<MessageFrame>()(
  z.object({ type: z.literal('message'), session_id: idSchema, message: messageSchema }),
);

/** The `event` frame of one session event. */
const eventFrameOf = <E extends SessionEventName>(event: E) =>
  z.object({
    type: z.literal('event'),
    session_id: idSchema,
    event: z.literal(event),
    data: sessionEventSchemas[event],
  });

/** `event`: a session event of AMQP.md, its body as `data`. */
export const eventFrameSchema = exactly<EventFrame>()(
  z.discriminatedUnion('event', [
    eventFrameOf('member.joined'),
    eventFrameOf('member.left'),
    eventFrameOf('session.updated'),
    eventFrameOf('session.deleted'),
    eventFrameOf('read'),
    eventFrameOf('typing'),
    eventFrameOf('message.edited'),
    eventFrameOf('message.deleted'),
    eventFrameOf('reaction.added'),
    eventFrameOf('reaction.removed'),
    eventFrameOf('presence'),
  ]),
);

/** `pong`: the answer to `ping`. */
export const pongFrameSchema = exactly<PongFrame>()(z.object({ type: z.literal('pong') }));

/** The stable `code` of an error frame. */
export const frameErrorCodeSchema = exactly<FrameErrorCode>()(
  z.enum([
    'INVALID_JSON',
    'BINARY_FRAME',
    'UNKNOWN_FRAME_TYPE',
    'INVALID_FRAME',
    'AUTH_IN_PROGRESS',
    'TOKEN_INVALID',
    'WRONG_USER',
  ]),
);

/** `error`: a frame the gateway could not take; the connection stays. */
export const errorFrameSchema = exactly<ErrorFrame>()(
  z.object({ type: z.literal('error'), code: frameErrorCodeSchema, detail: z.string() }),
);

/** `auth`: first authentication, or a fresh token of the same user. */
export const authFrameSchema = exactly<AuthFrame>()(
  z.object({ type: z.literal('auth'), token: z.string().min(1).describe('An access token (a JWT).') }),
);

/** `ping`: application-level keepalive. */
export const pingFrameSchema = exactly<PingFrame>()(z.object({ type: z.literal('ping') }));
