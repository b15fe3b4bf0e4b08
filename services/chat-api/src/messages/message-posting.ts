import type { Publisher } from '@warren/shared/amqp';
import { type ChatMessage, encodeChatMessage, newMessageId, type UserAuthor } from '@warren/shared/envelope';
import { type MessageRow, messageOf } from '@warren/shared/history';
import { ChatApiErrors } from '../errors.ts';
import type { Caller } from '../sessions/caller.ts';

/** A message to post, its fields already held to the envelope's rules (`http/posted-message.ts`). */
export interface PostedMessage {
  content: string;
  type: string;
  extra: Readonly<Record<string, unknown>> | null;
  /** A UUID the client chose (lower-case), for retries without duplicates. */
  id?: string | undefined;
}

/** What {@link MessagePosting} works with. */
export interface MessagePostingDeps {
  publisher: Publisher;
  /** The AMQP user chat-api publishes as (`user_id`). */
  publisherUser: string;
}

/**
 * Posting a message: the envelope of AMQP.md built by the shared encoder, published persistent to
 * the session's exchange with confirms and `mandatory`. The caller's membership is checked before,
 * by the query that also says whether the client's id is stored (`SessionAccess.memberPosting`).
 */
export class MessagePosting {
  readonly #deps: MessagePostingDeps;

  constructor(deps: MessagePostingDeps) {
    this.#deps = deps;
  }

  /**
   * Publishes a message by the caller to the session and resolves once the broker confirmed it.
   * `stored` is the message history holds under the client's id, if any: stored for the same
   * author and session, it is the answer and nothing is published again; an id not stored yet is
   * published again, and the persister stores it once.
   *
   * @throws MESSAGE_ID_TAKEN (409) for an id stored for another author or session;
   * BROKER_UNAVAILABLE (503) when the broker did not confirm.
   */
  async post(
    caller: Caller,
    sessionId: string,
    input: PostedMessage,
    stored: MessageRow | undefined,
  ): Promise<ChatMessage> {
    const { content, type, extra, id } = input;
    if (id !== undefined && stored !== undefined) {
      if (stored.session_id === sessionId && stored.author_kind === 'user' && stored.author_id === caller.id) {
        return messageOf(stored);
      }
      throw new ChatApiErrors.messageIdTaken(`message id ${id} is taken`, {
        errors: [{ field: 'id', message: 'is already used by another message' }],
      });
    }
    const author: UserAuthor = { kind: 'user', id: caller.id, username: caller.username };
    const message: ChatMessage & { author: UserAuthor } = {
      id: id ?? newMessageId(),
      session_id: sessionId,
      author,
      type,
      content,
      extra,
      created_at: new Date().toISOString(),
    };
    const outgoing = encodeChatMessage({ message, publisher: this.#deps.publisherUser });
    await this.#deps.publisher.publish(outgoing.exchange, outgoing.routingKey, outgoing.content, {
      ...outgoing.options,
      headers: { ...outgoing.options.headers },
    });
    return message;
  }
}
