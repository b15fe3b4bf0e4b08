import { setTimeout as delay } from 'node:timers/promises';
import type { SessionEvents } from '../broker/session-events.ts';
import { ChatApiErrors } from '../errors.ts';
import type { MemberStore } from '../stores/member-store.ts';
import type { MessageHistory } from '../stores/message-history.ts';
import type { Caller } from './caller.ts';

/** The first pause between lookups of a message not stored yet; each next one doubles, up to the last. */
const FIRST_PAUSE_MS = 10;
const LONGEST_PAUSE_MS = 250;

/** What {@link ReadMarkers} works with. */
export interface ReadMarkersDeps {
  members: MemberStore;
  history: MessageHistory;
  events: SessionEvents;
  /**
   * How long a read marker naming a message not stored yet waits for the persister to store it
   * before answering 404: clients see messages live, before they are stored, and mark them read
   * at once. @defaultValue 2000
   */
  storeWaitMs?: number | undefined;
}

/** Read markers: the `seq` of the newest message each member has read, which `unread_count` counts from. */
export class ReadMarkers {
  readonly #deps: ReadMarkersDeps;
  readonly #storeWaitMs: number;

  constructor(deps: ReadMarkersDeps) {
    this.#deps = deps;
    this.#storeWaitMs = deps.storeWaitMs ?? 2000;
  }

  /**
   * Moves the caller's marker forward to a message of the session (never back) and, when it moved,
   * publishes a `read` event so the caller's other clients and the other members see it. A message
   * still on its way to the persister is waited for, up to `storeWaitMs`.
   * @throws MESSAGE_NOT_FOUND (404) when the session holds no such message by then.
   */
  async markRead(caller: Caller, sessionId: string, messageId: string): Promise<void> {
    const { members, events } = this.#deps;
    const seq = await this.#storedSeq(sessionId, messageId);
    if (seq === undefined)
      throw new ChatApiErrors.messageNotFound(`session ${sessionId} holds no message ${messageId}`);
    if (await members.moveReadMarker(sessionId, caller.id, seq)) await events.read(sessionId, caller.id, messageId);
  }

  /**
   * The message's `seq`, looked up (by its index) again after pauses that grow from
   * {@link FIRST_PAUSE_MS}, the last lookup at the deadline: a message stored a few milliseconds
   * late costs one or two more lookups, one never stored about a dozen.
   */
  async #storedSeq(sessionId: string, messageId: string): Promise<string | undefined> {
    const deadline = performance.now() + this.#storeWaitMs;
    for (let pause = FIRST_PAUSE_MS; ; pause = Math.min(pause * 2, LONGEST_PAUSE_MS)) {
      const seq = await this.#deps.history.seqOf(sessionId, messageId);
      const left = deadline - performance.now();
      if (seq !== undefined || left <= 0) return seq;
      await delay(Math.min(pause, left));
    }
  }
}
