import { ChatApiErrors } from '../errors.ts';
import type { HistoryPage, MessageHistory } from '../stores/message-history.ts';

/** `GET /api/sessions/:id/messages`: a page size and at most one of two cursors, message ids. */
export interface HistoryRequest {
  limit: number;
  before?: string | undefined;
  after?: string | undefined;
}

/** Reading a session's history a page at a time, for its members (checked before). */
export class HistoryReading {
  readonly #history: MessageHistory;

  constructor(history: MessageHistory) {
    this.#history = history;
  }

  /**
   * A page of the session's history before or after a message of it, or from the newest.
   * @throws MESSAGE_NOT_FOUND (404) for a cursor the session holds no message of.
   */
  async page(sessionId: string, request: HistoryRequest): Promise<HistoryPage> {
    const seqOf = async (messageId: string | undefined) => {
      if (messageId === undefined) return undefined;
      const seq = await this.#history.seqOf(sessionId, messageId.toLowerCase());
      if (seq === undefined) {
        throw new ChatApiErrors.messageNotFound(`session ${sessionId} holds no message ${messageId}`);
      }
      return seq;
    };
    const [before, after] = [await seqOf(request.before), await seqOf(request.after)];
    return this.#history.page(
      sessionId,
      { ...(before === undefined ? {} : { before }), ...(after === undefined ? {} : { after }) },
      request.limit,
    );
  }
}
