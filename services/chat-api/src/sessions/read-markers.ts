import type { SessionEvents } from '../broker/session-events.ts';
import { ChatApiErrors } from '../errors.ts';
import type { MemberStore } from '../stores/member-store.ts';
import type { MessageHistory } from '../stores/message-history.ts';
import type { Caller } from './caller.ts';

/** What {@link ReadMarkers} works with. */
export interface ReadMarkersDeps {
  members: MemberStore;
  history: MessageHistory;
  events: SessionEvents;
}

/** Read markers: the `seq` of the newest message each member has read, which `unread_count` counts from. */
export class ReadMarkers {
  readonly #deps: ReadMarkersDeps;

  constructor(deps: ReadMarkersDeps) {
    this.#deps = deps;
  }

  /**
   * Moves the caller's marker forward to a message of the session (never back) and, when it moved,
   * publishes a `read` event so the caller's other clients and the other members see it. A message
   * still on its way to the persister is waited for (`MessageHistory.awaitStored`).
   * @param requestId the HTTP request's id, carried in the event's headers for the logs downstream.
   * @throws MESSAGE_NOT_FOUND (404) when the session holds no such message by then.
   */
  async markRead(caller: Caller, sessionId: string, messageId: string, requestId?: string): Promise<void> {
    const { members, events } = this.#deps;
    const seq = (await this.#deps.history.awaitStored(sessionId, messageId))?.seq;
    if (seq === undefined)
      throw new ChatApiErrors.messageNotFound(`session ${sessionId} holds no message ${messageId}`);
    if (await members.moveReadMarker(sessionId, caller.id, seq))
      await events.read(sessionId, caller.id, messageId, requestId);
  }
}
