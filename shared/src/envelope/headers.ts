/** Header names of the envelope (AMQP.md), spelled out only here. */
export const envelopeHeaders = {
  /** The chat user who wrote a message; believed only from a trusted publisher. */
  authorId: 'x-warren-author-id',
  /** That user's username; believed only from a trusted publisher. */
  authorName: 'x-warren-author-name',
  /** Why a message was dead-lettered: the text of `deadLetterReason`. */
  error: 'x-warren-error',
  /** On a dead letter: the exchange the message was published to (its session exchange), so a tool can requeue it. */
  originalExchange: 'x-warren-original-exchange',
  /**
   * On a dead letter: the `user_id` the message was published with. It cannot stay a property:
   * RabbitMQ refuses a publish whose `user_id` is not the publishing connection's user.
   */
  originalUserId: 'x-warren-original-user-id',
} as const;
