/**
 * The messages of the AsyncAPI document (`components.messages`): chat messages and session events on
 * the session exchanges, service events on `warren.events`, dead letters and WebSocket frames. Every
 * body schema comes from a zod schema the code has; the AMQP properties chat-api sets come from the
 * envelope's own encoders.
 */
import { z } from 'zod';
import { eventKeys, type SessionEventType, sessionEventTypes } from '../amqp/topology.ts';
import { sessionEventSchemas } from '../contract-schemas/event-schemas.ts';
import * as frames from '../contract-schemas/frame-schemas.ts';
import {
  loginEndedSchema,
  membershipChangedSchema,
  presenceReportSchema,
  userRegisteredSchema,
} from '../contract-schemas/service-event-schemas.ts';
import { jsonBody } from '../envelope/decode.ts';
import { envelopeHeaders, JSON_CONTENT_TYPE } from '../envelope/delivery.ts';
import { encodeChatMessage, encodeSessionEvent } from '../envelope/encode.ts';
import { envelopeErrorCodes } from '../envelope/errors.ts';
import { limits } from '../limits.ts';
import { SAMPLE_ID } from './amqp-access.ts';
import { jsonSchemaOf } from './json-schema.ts';

/** AsyncAPI's AMQP bindings, the version whose fields are used here. */
export const AMQP_BINDING_VERSION = '0.3.0';

/** An AsyncAPI message object. */
export type MessageObject = Record<string, unknown>;

/** What chat-api's encoders set on a delivery, as the document shows it (`x-warren-amqp-properties`). */
function propertiesOf(options: { type: string; contentType: string; deliveryMode: 1 | 2 }): Record<string, unknown> {
  return {
    type: options.type,
    content_type: options.contentType,
    delivery_mode: options.deliveryMode,
    message_id: 'a UUID (a UUIDv7 from chat-api)',
    user_id: 'the publishing AMQP user; RabbitMQ refuses any other',
  };
}

/** The delivery chat-api makes of one of its users' messages, for the properties it sets. */
const sampleMessageDelivery = () =>
  encodeChatMessage({
    message: {
      id: SAMPLE_ID,
      session_id: SAMPLE_ID,
      author: { kind: 'user', id: SAMPLE_ID, username: 'sample' },
      type: 'text',
      content: 'sample',
      extra: null,
      created_at: '2026-01-01T00:00:00.000Z',
      reply_to: null,
      reply_count: 0,
      edited_at: null,
      deleted_at: null,
      reactions: [],
    },
    publisher: 'chat-api',
  });

/** The delivery chat-api makes of a session event, for the properties it sets. */
const sampleEventDelivery = (event: SessionEventType) =>
  encodeSessionEvent({ sessionId: SAMPLE_ID, event, data: {}, publisher: 'chat-api', messageId: SAMPLE_ID });

const authorHeaders = z
  .object({
    [envelopeHeaders.authorId]: z.uuid().optional().describe('The chat user who wrote it.'),
    [envelopeHeaders.authorName]: z
      .string()
      .regex(limits.username.pattern)
      .optional()
      .describe("That user's username."),
  })
  .describe(
    'Believed only when `user_id` is a trusted publisher (chat-api); anyone else is a bot named by its `user_id`.',
  );

const amqpMessage = (messageType: string, fields: MessageObject): MessageObject => ({
  ...fields,
  bindings: { amqp: { messageType, bindingVersion: AMQP_BINDING_VERSION } },
});

/** What one session event is, by its `type` (AMQP.md "Events on a session exchange"). */
const sessionEventSummaries = {
  'member.joined': 'A user joined or was added.',
  'member.left': 'A member left or was removed.',
  'session.updated': 'The session was renamed, or made public or private.',
  'session.deleted': 'The session was deleted; published before its exchange goes, so members hear it.',
  read: "A member's read marker moved forward.",
  typing: 'A member is typing; published with a short `expiration`.',
  'message.edited': "A message's author changed its content; history applies it.",
  'message.deleted': "A message was deleted by its author or the session's owner; history keeps a tombstone.",
  'reaction.added': 'A user reacted to a message with an emoji; history applies it.',
  'reaction.removed': 'A user took their reaction back; history applies it.',
  presence: 'A member came online (first socket on any gateway) or went offline (last one closed).',
} as const satisfies Record<SessionEventType, string>;

/** The component key of a session event's message. */
export const sessionEventKey = (event: SessionEventType): string => `session-event.${event}`;

function sessionEventMessages(): Record<string, MessageObject> {
  return Object.fromEntries(
    sessionEventTypes.map((event) => [
      sessionEventKey(event),
      amqpMessage(event, {
        name: event,
        title: `Session event ${event}`,
        summary: sessionEventSummaries[event],
        description:
          'Published by chat-api with the `type` property set to the event name; believed only from a trusted ' +
          'publisher (`untrusted_event` otherwise). Persistent when it changes history, else live only.',
        contentType: JSON_CONTENT_TYPE,
        payload: jsonSchemaOf(sessionEventSchemas[event]),
        'x-warren-amqp-properties': propertiesOf(sampleEventDelivery(event).options),
      }),
    ]),
  );
}

/** Component keys of the service events on `warren.events`. */
export const serviceEventKeys = {
  userRegistered: 'service-event.user.registered',
  membershipChanged: 'service-event.membership.changed',
  loginEnded: 'service-event.login.ended',
  presence: 'service-event.presence',
} as const;

/** The routing key of each service event (a pattern for presence reports), for matching bindings. */
export const serviceEventRoutingKeys: Readonly<Record<keyof typeof serviceEventKeys, string>> = {
  userRegistered: eventKeys.userRegistered,
  membershipChanged: eventKeys.membershipChanged,
  loginEnded: eventKeys.loginEnded,
  presence: eventKeys.presence('{instance}'),
};

function serviceEventMessages(): Record<string, MessageObject> {
  const event = (
    name: keyof typeof serviceEventKeys,
    summary: string,
    schema: z.ZodType,
    publisher: string,
  ): [string, MessageObject] => {
    const routingKey = serviceEventRoutingKeys[name];
    const fields = {
      name: routingKey,
      title: `Service event ${routingKey}`,
      summary,
      contentType: JSON_CONTENT_TYPE,
      payload: jsonSchemaOf(schema),
    };
    const believed = `believed only from ${publisher}'s AMQP user (\`user_id\`)`;
    // Presence reports are told apart by their routing key alone: the gateway sets no `type` on them.
    if (name === 'presence') {
      return [serviceEventKeys[name], { ...fields, description: `Published by ${publisher}, transient; ${believed}.` }];
    }
    return [
      serviceEventKeys[name],
      amqpMessage(routingKey, {
        ...fields,
        description: `Published by ${publisher} with the \`type\` property set to its routing key; ${believed}.`,
      }),
    ];
  };
  return Object.fromEntries([
    event(
      'userRegistered',
      'auth has a new user; chat-api keeps its copy of users from it.',
      userRegisteredSchema,
      'auth',
    ),
    event(
      'membershipChanged',
      'Members left a session, or it was deleted: every chat-api instance forgets what it cached of their membership.',
      membershipChangedSchema,
      'chat-api',
    ),
    event(
      'loginEnded',
      'A login ended (logout, logout-all, refresh-token reuse): access tokens with its `sid` are refused from then on.',
      loginEndedSchema,
      'auth',
    ),
    event(
      'presence',
      'What one ws-gateway instance reports of the users it holds sockets for: changes, a periodic heartbeat, a goodbye.',
      presenceReportSchema,
      'ws-gateway',
    ),
  ]);
}

/** The component keys of the chat messages: a JSON body, or plain text that is the content. */
export const chatMessageKeys = { json: 'chat-message.json', text: 'chat-message.text' } as const;

function chatMessages(): Record<string, MessageObject> {
  const common = {
    description:
      `The session is the exchange it was published to, never a body field. \`message_id\` (a UUID; derived when ` +
      `absent), \`user_id\` (the publisher), \`timestamp\` (seconds, years ${limits.timestampYears.min} to ` +
      `${limits.timestampYears.max}) are optional properties. Content is trimmed, then ${limits.content.min} to ` +
      `${limits.content.max} code points with a visible one; a body is at most ${limits.amqpBodyBytes} bytes. ` +
      'A message that breaks a rule is dead-lettered, never delivered.',
    headers: jsonSchemaOf(authorHeaders),
  };
  return {
    [chatMessageKeys.json]: amqpMessage('message', {
      name: chatMessageKeys.json,
      title: 'Chat message (JSON)',
      summary: 'A chat message whose body is JSON.',
      ...common,
      contentType: JSON_CONTENT_TYPE,
      payload: jsonSchemaOf(
        jsonBody.describe(
          `\`type\`: 1 to 32 of a-z 0-9 . _ - (\`text\` by default); \`extra\`: a JSON object of at most ` +
            `${limits.extraBytes} bytes and ${limits.extraDepth} levels; \`created_at\`: believed only from a ` +
            'trusted publisher; `reply_to`: the id of the root message of a thread of this session. Other fields are ignored.',
        ),
      ),
      'x-warren-amqp-properties': propertiesOf(sampleMessageDelivery().options),
    }),
    [chatMessageKeys.text]: amqpMessage('message', {
      name: chatMessageKeys.text,
      title: 'Chat message (text)',
      summary: 'A chat message whose body is its content, as UTF-8 text (any content type but application/json).',
      ...common,
      contentType: 'text/plain',
      payload: { type: 'string' },
    }),
  };
}

/** The component key of a dead letter. */
export const DEAD_LETTER_KEY = 'dead-letter';

function deadLetter(): MessageObject {
  const headers = z.object({
    [envelopeHeaders.error]: z
      .string()
      .regex(/^[a-z_]+: /)
      .describe(`\`<code>: <detail>\`; codes include ${envelopeErrorCodes.map((code) => `\`${code}\``).join(', ')}.`),
    [envelopeHeaders.originalExchange]: z.string().describe('The session exchange it was published to.'),
    [envelopeHeaders.originalUserId]: z
      .string()
      .optional()
      .describe('The `user_id` it was published with (the property cannot stay on a republished letter).'),
  });
  return {
    name: DEAD_LETTER_KEY,
    title: 'Dead letter',
    summary: 'A delivery the persister refused, or one a queue gave up on after its delivery limit.',
    description:
      'The original body and properties, plus the headers below when the persister refused it; a letter that reached ' +
      "a quorum queue's delivery limit carries RabbitMQ's own `x-death` headers instead.",
    headers: jsonSchemaOf(headers),
    payload: { description: 'The original body, byte for byte.' },
  };
}

/** The component keys of the WebSocket frames, by frame type. */
export const frameKeys = {
  ready: 'frame.ready',
  message: 'frame.message',
  event: 'frame.event',
  pong: 'frame.pong',
  error: 'frame.error',
  auth: 'frame.auth',
  ping: 'frame.ping',
} as const;

function frameMessages(): Record<string, MessageObject> {
  const frame = (type: keyof typeof frameKeys, summary: string, schema: z.ZodType): [string, MessageObject] => [
    frameKeys[type],
    { name: type, title: `${type} frame`, summary, contentType: JSON_CONTENT_TYPE, payload: jsonSchemaOf(schema) },
  ];
  return Object.fromEntries([
    frame(
      'ready',
      "The connection's queue is bound and consumed: what is published from now on arrives.",
      frames.readyFrameSchema,
    ),
    frame('message', 'A chat message (HTTP.md `Message`).', frames.messageFrameSchema),
    frame('event', 'A session event, its body as `data`.', frames.eventFrameSchema),
    frame('pong', 'The answer to `ping`.', frames.pongFrameSchema),
    frame('error', 'A frame the gateway could not take; the connection stays.', frames.errorFrameSchema),
    frame('auth', 'First authentication (within 10 s), or a fresh token of the same user.', frames.authFrameSchema),
    frame('ping', 'Application-level keepalive; answered with `pong`.', frames.pingFrameSchema),
  ]);
}

/** Every message of the document, by component key. */
export function messages(): Record<string, MessageObject> {
  return {
    ...chatMessages(),
    ...sessionEventMessages(),
    ...serviceEventMessages(),
    [DEAD_LETTER_KEY]: deadLetter(),
    ...frameMessages(),
  };
}
