import {
  type ChatMessage,
  contentOf,
  EnvelopeError,
  encodeChatMessage,
  extraOf,
  messageOf,
  messageTypeOf,
  newMessageId,
  type Publisher,
  SharedErrors,
  type UserAuthor,
} from '@warren/shared';
import type { Caller } from './caller.ts';
import { ChatApiErrors } from './errors.ts';
import type { MessageHistory } from './message-history.ts';

/** `POST /api/sessions/:id/messages`, its fields as the client sent them (the body's shape checked). */
export interface NewMessage {
  content: string;
  type?: string | undefined;
  extra?: unknown;
  /** A UUID the client chose, for retries without duplicates. */
  id?: string | undefined;
}

/** What {@link MessagePosting} works with. */
export interface MessagePostingDeps {
  history: MessageHistory;
  publisher: Publisher;
  /** The AMQP user chat-api publishes as (`user_id`). */
  publisherUser: string;
}

/** Applies one envelope rule, turning its refusal into a 400 naming the field. */
function field<T>(name: string, rule: () => T): T {
  try {
    return rule();
  } catch (error) {
    if (!(error instanceof EnvelopeError)) throw error;
    throw new SharedErrors.invalidRequest(`the request body is invalid: ${error.detail}`, {
      errors: [{ field: name, message: error.detail }],
    });
  }
}

/**
 * Posting a message: the envelope of AMQP.md built by the shared encoder, published persistent to
 * the session's exchange with confirms and `mandatory`. The caller's membership is checked before.
 */
export class MessagePosting {
  readonly #deps: MessagePostingDeps;

  constructor(deps: MessagePostingDeps) {
    this.#deps = deps;
  }

  /**
   * Publishes a message by the caller to the session and resolves once the broker confirmed it.
   * A client id already stored for the same author and session answers the stored message without
   * publishing again; one not stored yet is published again, and the persister stores it once.
   *
   * @throws INVALID_REQUEST (400); MESSAGE_ID_TAKEN (409) for an id stored for another author or
   * session; BROKER_UNAVAILABLE (503) when the broker did not confirm.
   */
  async post(caller: Caller, sessionId: string, input: NewMessage): Promise<ChatMessage> {
    const content = field('content', () => contentOf(input.content));
    const type = field('type', () => messageTypeOf(input.type));
    // Checked before the JSON round trip, so nothing recursive sees a value nested too deep; the
    // round trip then makes the object exactly what consumers will parse (no -0, no undefined).
    const extra = field('extra', () => extraOf(viaJson(extraOf(input.extra))));
    const id = input.id?.toLowerCase();
    if (id !== undefined) {
      const stored = await this.#deps.history.find(id);
      if (stored !== undefined) {
        if (stored.session_id === sessionId && stored.author_kind === 'user' && stored.author_id === caller.id) {
          return messageOf(stored);
        }
        throw new ChatApiErrors.messageIdTaken(`message id ${id} is taken`, {
          errors: [{ field: 'id', message: 'is already used by another message' }],
        });
      }
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

/** The value as JSON would carry it. */
function viaJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}
