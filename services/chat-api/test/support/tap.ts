/** The chat-api tests' AMQP tap: the one in the shared test helpers. */
export { AmqpTap as Tap, bodyOf } from '@warren/shared/testing';
