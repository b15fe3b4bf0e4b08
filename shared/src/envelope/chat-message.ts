/** A chat user, vouched for by a trusted publisher's author headers. */
export interface UserAuthor {
  readonly kind: 'user';
  readonly id: string;
  readonly username: string;
}

/** Any other publisher, named by its AMQP user. */
export interface BotAuthor {
  readonly kind: 'bot';
  readonly name: string;
}

/** Who wrote a message; `null` is an unattributed message (published without `user_id`), shown as unverified. */
export type Author = UserAuthor | BotAuthor | null;

/** A chat message as every part sees it: the `Message` of HTTP.md. */
export interface ChatMessage {
  /** A lower-case UUID. */
  readonly id: string;
  /** A lower-case UUID, taken from the exchange the message was published to. */
  readonly session_id: string;
  readonly author: Author;
  /** An application tag matching `limits.messageType`; `text` by default. */
  readonly type: string;
  /** Trimmed, 1 to 4000 code points. */
  readonly content: string;
  /** A JSON object of at most 8 KiB serialized and 16 levels deep, or null when absent. */
  readonly extra: Readonly<Record<string, unknown>> | null;
  /** ISO-8601 in UTC with milliseconds, as `Date.prototype.toISOString` writes it. */
  readonly created_at: string;
}
