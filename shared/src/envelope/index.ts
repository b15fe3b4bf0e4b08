/**
 * The message envelope (AMQP.md "A chat message on the wire"): the one place that reads and writes
 * session-exchange deliveries, so the persister, the ws-gateway and chat-api agree on every rule.
 */
export { type Author, type BotAuthor, type ChatMessage, NEW_MESSAGE_STATE, type UserAuthor } from './chat-message.ts';
export {
  type DecodedEvent,
  type DecodedMessage,
  type DecodeFailure,
  type DecodeOptions,
  type DecodeResult,
  decodeDelivery,
} from './decode.ts';
export {
  type DeliveryLike,
  type DeliveryProperties,
  type EnvelopePublishOptions,
  envelopeHeaders,
  isJsonContentType,
  MAX_REQUEST_ID_LENGTH,
  type OutgoingDelivery,
  requestIdOf,
  type TrustedPublishers,
} from './delivery.ts';
export {
  type EncodeChatMessageInput,
  type EncodeSessionEventInput,
  encodeChatMessage,
  encodeSessionEvent,
} from './encode.ts';
export {
  deadLetterReason,
  EnvelopeError,
  type EnvelopeErrorCode,
  type EnvelopeProblem,
  envelopeErrorCodes,
} from './errors.ts';
export {
  canonicalUuid,
  contentOf,
  DEFAULT_MESSAGE_TYPE,
  emojiOf,
  extraOf,
  messageTypeOf,
  replyToOf,
} from './field-rules.ts';
export {
  isMessageChangeEvent,
  type MessageChange,
  type MessageChangeEvent,
  messageChangeEvents,
  messageChangeOf,
} from './message-change.ts';
export { authorOf, createdAtOf, MESSAGE_ID_NAMESPACE, messageIdOf, newChangeId, newMessageId } from './provenance.ts';
