import type { Publisher } from '@warren/shared/amqp';
import type { SessionEventPayloads } from '@warren/shared/contract';
import { encodeSessionEvent, type MessageChangeEvent, newChangeId } from '@warren/shared/envelope';

/** What {@link MessageChangeEvents} publishes with. */
export interface MessageChangeEventsOptions {
  publisher: Publisher;
  /** The AMQP user chat-api publishes as (`user_id`): consumers believe these events only from it. */
  publisherUser: string;
}

/**
 * Publishes the events that change a stored message (AMQP.md: `message.edited`, `message.deleted`,
 * `reaction.added`, `reaction.removed`) on the session's exchange. Unlike the other session events
 * (`SessionEvents`, which describe a state already committed), these are the change itself: history
 * is made from them, so they are persistent, confirmed, and a publish the broker did not confirm
 * fails the request (503), never answered as done. Each carries a new {@link newChangeId} as its
 * `message_id`, the order the persister applies changes of one message in.
 */
export class MessageChangeEvents {
  readonly #options: MessageChangeEventsOptions;

  constructor(options: MessageChangeEventsOptions) {
    this.#options = options;
  }

  /**
   * Publishes one change and resolves once the broker confirmed it.
   * @param requestId the HTTP request's id, carried in the delivery's headers for the logs downstream.
   * @returns the event's id (its AMQP `message_id`).
   * @throws BROKER_UNAVAILABLE (503) when the broker did not confirm or could not route it.
   */
  async publish<E extends MessageChangeEvent>(
    sessionId: string,
    event: E,
    data: SessionEventPayloads[E],
    requestId?: string,
  ): Promise<string> {
    const { publisher, publisherUser } = this.#options;
    const messageId = newChangeId();
    const outgoing = encodeSessionEvent({ sessionId, event, data, publisher: publisherUser, messageId, requestId });
    await publisher.publish(outgoing.exchange, outgoing.routingKey, outgoing.content, { ...outgoing.options });
    return messageId;
  }
}
