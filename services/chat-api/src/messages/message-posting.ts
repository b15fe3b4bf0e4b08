import type { Publisher } from '@warren/shared/amqp';
import {
  type ChatMessage,
  encodeChatMessage,
  NEW_MESSAGE_STATE,
  newMessageId,
  type UserAuthor,
} from '@warren/shared/envelope';
import type { MessageRow } from '@warren/shared/history';
import { ChatApiErrors } from '../errors.ts';
import type { Caller } from '../sessions/caller.ts';
import type { MessageDetailsStore } from '../stores/message-details-store.ts';
import type { MessageHistory } from '../stores/message-history.ts';

/** A message to post, its fields already held to the envelope's rules (`http/posted-message.ts`). */
export interface PostedMessage {
  content: string;
  type: string;
  extra: Readonly<Record<string, unknown>> | null;
  /** A UUID the client chose (lower-case), for retries without duplicates. */
  id?: string | undefined;
  /** The message (lower-case UUID) this one replies to, or null. */
  reply_to: string | null;
}

/** What {@link MessagePosting} works with. */
export interface MessagePostingDeps {
  publisher: Publisher;
  /** The AMQP user chat-api publishes as (`user_id`). */
  publisherUser: string;
  /** Where a reply's target is looked up. */
  history: MessageHistory;
  /** The reply count and reactions of a message answered again (an idempotent retry). */
  details: MessageDetailsStore;
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
   * A reply names a stored message of the same session; it is published, and answered, with the
   * root of that message's thread as its `reply_to` (a reply to a reply joins the root's thread).
   *
   * @param requestId the HTTP request's id, carried in the delivery's headers for the logs downstream.
   * @throws MESSAGE_ID_TAKEN (409) for an id stored for another author or session;
   * MESSAGE_NOT_FOUND (404) for a `reply_to` the session holds no message of (another session's
   * message is answered alike); BROKER_UNAVAILABLE (503) when the broker did not confirm.
   */
  async post(
    caller: Caller,
    sessionId: string,
    input: PostedMessage,
    stored: MessageRow | undefined,
    requestId?: string,
  ): Promise<ChatMessage> {
    const { content, type, extra, id } = input;
    if (id !== undefined && stored !== undefined) {
      if (stored.session_id === sessionId && stored.author_kind === 'user' && stored.author_id === caller.id) {
        return this.#deps.details.messageOf(stored, caller.id);
      }
      throw new ChatApiErrors.messageIdTaken(`message id ${id} is taken`, {
        errors: [{ field: 'id', message: 'is already used by another message' }],
      });
    }
    const replyTo = input.reply_to === null ? null : await this.#rootOf(sessionId, input.reply_to);
    const author: UserAuthor = { kind: 'user', id: caller.id, username: caller.username };
    const message: ChatMessage & { author: UserAuthor } = {
      id: id ?? newMessageId(),
      session_id: sessionId,
      author,
      type,
      content,
      extra,
      created_at: new Date().toISOString(),
      reply_to: replyTo,
      ...NEW_MESSAGE_STATE,
    };
    const outgoing = encodeChatMessage({ message, publisher: this.#deps.publisherUser, requestId });
    await this.#deps.publisher.publish(outgoing.exchange, outgoing.routingKey, outgoing.content, {
      ...outgoing.options,
      headers: { ...outgoing.options.headers },
    });
    return message;
  }

  /**
   * The root of the thread of the message a reply names: that message, or its own root. A target
   * seen live and not stored yet is waited for (`MessageHistory.awaitStored`).
   * @throws MESSAGE_NOT_FOUND (404) when the session holds no such message.
   */
  async #rootOf(sessionId: string, messageId: string): Promise<string> {
    const target = await this.#deps.history.awaitStored(sessionId, messageId);
    if (target === undefined) {
      throw new ChatApiErrors.messageNotFound(`session ${sessionId} holds no message ${messageId}`, {
        errors: [{ field: 'reply_to', message: 'names no message of this session' }],
      });
    }
    return target.reply_to ?? target.id;
  }
}
