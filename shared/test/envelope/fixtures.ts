import { names } from '../../src/amqp/topology.ts';
import type {
  ChatMessage,
  DecodeResult,
  DeliveryLike,
  DeliveryProperties,
  OutgoingDelivery,
  UserAuthor,
} from '../../src/envelope/index.ts';
import { decodeDelivery, EnvelopeError, NEW_MESSAGE_STATE } from '../../src/envelope/index.ts';

/** The session every test delivery belongs to. */
export const SESSION_ID = '0b6a4b6e-4c1f-4a8e-9d55-2f7c9a1e3b10';
/** That session's exchange. */
export const EXCHANGE = names.sessionExchange(SESSION_ID);
/** The chat user chat-api speaks for. */
export const USER_ID = '5f0c2a9e-8d3b-4e71-a6c4-1b2d3e4f5a6b';
/** A message id as chat-api makes them (v7). */
export const MESSAGE_ID = '018f3a2b-7c4d-7e5f-8a9b-0c1d2e3f4a5b';
/** Another message of the test session: what replies and changes name. */
export const ROOT_ID = '018f3a2b-7c4d-7e5f-8a9b-0c1d2e3f4a00';
/** The trusted publishers of a deployment. */
export const TRUSTED: readonly string[] = ['chat-api'];
/** When the consumer received the delivery. */
export const RECEIVED_AT = new Date('2025-03-04T05:06:07.089Z');

/** A delivery on the test session's exchange; a string body is taken as UTF-8. */
export function delivery(
  body: string | Buffer,
  properties: DeliveryProperties = {},
  exchange: string = EXCHANGE,
): DeliveryLike {
  return { fields: { exchange }, properties, content: typeof body === 'string' ? Buffer.from(body, 'utf8') : body };
}

/** A delivery with a JSON body and an `application/json` content type. */
export function jsonDelivery(body: unknown, properties: DeliveryProperties = {}): DeliveryLike {
  return delivery(JSON.stringify(body), { contentType: 'application/json', ...properties });
}

/** The author headers chat-api sends. */
export function authorHeaders(id: string | Buffer = USER_ID, name: string | Buffer = 'alice') {
  return { 'x-warren-author-id': id, 'x-warren-author-name': name };
}

/** Decodes with the test's trusted publishers and reception time. */
export function decode(d: DeliveryLike, trustedPublishers: readonly string[] = TRUSTED): DecodeResult {
  return decodeDelivery(d, { trustedPublishers, receivedAt: RECEIVED_AT });
}

/** Decodes an encoder's output as a consumer receives it. */
export function receive(out: OutgoingDelivery, trustedPublishers: readonly string[] = TRUSTED): DecodeResult {
  return decode(
    { fields: { exchange: out.exchange }, properties: out.options, content: out.content },
    trustedPublishers,
  );
}

/** The code of the `EnvelopeError` a call throws, or undefined when it returns. */
export function thrownCode(f: () => unknown): string | undefined {
  try {
    f();
  } catch (error) {
    if (error instanceof EnvelopeError) return error.code;
    throw error;
  }
  return undefined;
}

/** A chat message as chat-api publishes it: written by a chat user. */
export type UserMessage = ChatMessage & { readonly author: UserAuthor };

/** A valid, canonical message by alice in the test session. */
export const USER_MESSAGE: UserMessage = {
  id: MESSAGE_ID,
  session_id: SESSION_ID,
  author: { kind: 'user', id: USER_ID, username: 'alice' },
  type: 'text',
  content: 'hello, warren 😀',
  extra: null,
  created_at: '2024-05-06T07:08:09.987Z',
  reply_to: null,
  ...NEW_MESSAGE_STATE,
};
