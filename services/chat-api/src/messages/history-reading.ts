import type { ThreadPage } from '@warren/shared/contract';
import type { MessageRow } from '@warren/shared/history';
import { ChatApiErrors } from '../errors.ts';
import type { MessageDetailsStore } from '../stores/message-details-store.ts';
import type { HistoryPage, MessageHistory } from '../stores/message-history.ts';

/** `GET /api/sessions/:id/messages`: a page size and at most one of two cursors, message ids. */
export interface HistoryRequest {
  limit: number;
  before?: string | undefined;
  after?: string | undefined;
}

/** `GET /api/sessions/:id/messages/:messageId/thread`: a page size and a cursor, a message id. */
export interface ThreadRequest {
  limit: number;
  after?: string | undefined;
}

function messageNotFound(sessionId: string, messageId: string): Error {
  return new ChatApiErrors.messageNotFound(`session ${sessionId} holds no message ${messageId}`);
}

/** Reading a session's history a page at a time, for its members (checked before). */
export class HistoryReading {
  readonly #history: MessageHistory;
  readonly #details: MessageDetailsStore;

  constructor(history: MessageHistory, details: MessageDetailsStore) {
    this.#history = history;
    this.#details = details;
  }

  /**
   * The `seq` of a cursor message of the session, or undefined for no cursor.
   * @throws MESSAGE_NOT_FOUND (404) for a cursor the session holds no message of.
   */
  async #seqOf(sessionId: string, messageId: string | undefined): Promise<string | undefined> {
    if (messageId === undefined) return undefined;
    const seq = await this.#history.seqOf(sessionId, messageId.toLowerCase());
    if (seq === undefined) throw messageNotFound(sessionId, messageId);
    return seq;
  }

  /**
   * A page of the session's history before or after a message of it, or from the newest, as the
   * caller sees it (their own reactions).
   * @throws MESSAGE_NOT_FOUND (404) for a cursor the session holds no message of.
   */
  async page(callerId: string, sessionId: string, request: HistoryRequest): Promise<HistoryPage> {
    const [before, after] = [await this.#seqOf(sessionId, request.before), await this.#seqOf(sessionId, request.after)];
    const page = await this.#history.page(
      sessionId,
      { ...(before === undefined ? {} : { before }), ...(after === undefined ? {} : { after }) },
      request.limit,
    );
    return { messages: await this.#details.messagesOf(page.rows, callerId), has_more: page.has_more };
  }

  /**
   * A stored message of the session, tombstones included.
   * @throws MESSAGE_NOT_FOUND (404) when the session holds none of this id (whether another session does is not told).
   */
  async message(sessionId: string, messageId: string): Promise<MessageRow> {
    const row = await this.#history.find(sessionId, messageId);
    if (row === undefined) throw messageNotFound(sessionId, messageId);
    return row;
  }

  /**
   * The thread a message is in: its root and a page of the root's replies after a message, oldest
   * first. A reply's thread is its root's: a client that holds any message of a thread (a reply
   * seen live, a search hit) opens the whole thread with it.
   * @throws MESSAGE_NOT_FOUND (404) for a message or a cursor the session holds no message of.
   */
  async thread(callerId: string, sessionId: string, messageId: string, request: ThreadRequest): Promise<ThreadPage> {
    const target = await this.message(sessionId, messageId);
    const root = target.reply_to === null ? target : await this.message(sessionId, target.reply_to);
    const after = await this.#seqOf(sessionId, request.after);
    const page = await this.#history.replies(sessionId, root.id, after, request.limit);
    const [rootMessage, ...replies] = await this.#details.messagesOf([root, ...page.rows], callerId);
    if (rootMessage === undefined) throw new Error('thread: no message for the root');
    return { root: rootMessage, replies, has_more: page.has_more };
  }
}
