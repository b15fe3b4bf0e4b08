/** Header names of the envelope (AMQP.md), spelled out only here. */
export const envelopeHeaders = {
  /** The chat user who wrote a message; believed only from a trusted publisher. */
  authorId: 'x-warren-author-id',
  /** That user's username; believed only from a trusted publisher. */
  authorName: 'x-warren-author-name',
  /** Why a message was dead-lettered: the text of `deadLetterReason`. */
  error: 'x-warren-error',
} as const;
