/**
 * The message envelope (AMQP.md "A chat message on the wire"): the one place that reads and writes
 * session-exchange deliveries, so the persister, the ws-gateway and chat-api agree on every rule.
 */
export { authorOf } from './author.ts';
export type { Author, BotAuthor, ChatMessage, UserAuthor } from './chat-message.ts';
export { contentOf } from './content.ts';
export { isJsonContentType } from './content-type.ts';
export { createdAtOf } from './created-at.ts';
export {
  type DecodedEvent,
  type DecodedMessage,
  type DecodeFailure,
  type DecodeOptions,
  type DecodeResult,
  decodeDelivery,
} from './decode-delivery.ts';
export type { DeliveryLike, DeliveryProperties } from './delivery.ts';
export { type EncodeChatMessageInput, encodeChatMessage } from './encode-chat-message.ts';
export { type EncodeSessionEventInput, encodeSessionEvent } from './encode-session-event.ts';
export {
  deadLetterReason,
  EnvelopeError,
  type EnvelopeErrorCode,
  type EnvelopeProblem,
  envelopeErrorCodes,
} from './envelope-error.ts';
export { extraOf } from './extra.ts';
export { envelopeHeaders } from './headers.ts';
export { MESSAGE_ID_NAMESPACE, messageIdOf, newMessageId } from './message-id.ts';
export { DEFAULT_MESSAGE_TYPE, messageTypeOf } from './message-type.ts';
export type { EnvelopePublishOptions, OutgoingDelivery } from './outgoing.ts';
export type { TrustedPublishers } from './trusted-publishers.ts';
export { canonicalUuid } from './uuid.ts';
