import { ChatApiErrors } from '../errors.ts';
import type { MessageDetailsStore } from '../stores/message-details-store.ts';
import type { HistoryPage } from '../stores/message-history.ts';
import type { MessageSearchStore } from '../stores/message-search-store.ts';

/** `GET /api/search`, validated: the words, a page size, and optionally a session and a cursor. */
export interface MessageSearchQuery {
  q: string;
  limit: number;
  session_id?: string | undefined;
  before?: string | undefined;
}

/** Full-text search over the messages of the sessions the caller is a member of now. */
export class MessageSearch {
  readonly #store: MessageSearchStore;
  readonly #details: MessageDetailsStore;

  constructor(store: MessageSearchStore, details: MessageDetailsStore) {
    this.#store = store;
    this.#details = details;
  }

  /**
   * A page of the caller's matching messages, newest first, with their reply counts and reactions.
   * A `session_id` the caller is not a member of (or that does not exist) answers an empty page,
   * alike, so it tells nothing.
   * @throws MESSAGE_NOT_FOUND (404) for a `before` that is no message of a session the caller is in.
   */
  async search(callerId: string, query: MessageSearchQuery): Promise<HistoryPage> {
    let beforeSeq: string | undefined;
    if (query.before !== undefined) {
      beforeSeq = await this.#store.seqOf(callerId, query.before.toLowerCase());
      if (beforeSeq === undefined) {
        throw new ChatApiErrors.messageNotFound(`no message ${query.before} in the caller's sessions`);
      }
    }
    const page = await this.#store.search({
      callerId,
      words: query.q,
      sessionId: query.session_id?.toLowerCase(),
      beforeSeq,
      limit: query.limit,
    });
    return { messages: await this.#details.messagesOf(page.rows, callerId), has_more: page.has_more };
  }
}
