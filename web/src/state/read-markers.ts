import { ApiError } from '../api/api-error.ts';
import type { ChatApi } from '../api/chat-api.ts';
import type { ChatState } from './chat-state.ts';
import { sentIdsNewestFirst } from './message-list.ts';
import { patchSession } from './session-list.ts';
import type { Store } from './store.ts';

/** A message seen live may not be stored yet (404): tried again this many times, a little later each time. */
const MAX_TRIES = 5;
const RETRY_MS = 400;

/**
 * The user's read markers: clears a session's unread count the moment its newest messages are on
 * screen, and moves chat-api's marker (`POST …/read`) to the newest message others wrote, at once,
 * one request at a time per session: what is read while one is on its way is sent when it returns.
 */
export class ReadMarkers {
  readonly #store: Store<ChatState>;
  readonly #api: ChatApi;
  /** The newest message chat-api has been told of, by session. */
  readonly #sent = new Map<string, string>();
  readonly #inFlight = new Set<string>();
  readonly #timers = new Map<string, ReturnType<typeof setTimeout>>();
  #stopped = false;

  constructor(store: Store<ChatState>, api: ChatApi) {
    this.#store = store;
    this.#api = api;
  }

  /** The user has the newest messages of a session in view. */
  seen(sessionId: string): void {
    this.#store.update((state) => {
      const session = state.sessions.find((candidate) => candidate.id === sessionId);
      if (session === undefined || session.unread_count === 0) return state;
      return { ...state, sessions: patchSession(state.sessions, sessionId, () => ({ unread_count: 0 })) };
    });
    void this.#send(sessionId, 0);
  }

  /** Stops sending. */
  stop(): void {
    this.#stopped = true;
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }

  async #send(sessionId: string, tries: number): Promise<void> {
    if (this.#stopped || this.#inFlight.has(sessionId) || this.#timers.has(sessionId)) return;
    const { conversations, me } = this.#store.get();
    // Unread counts only what others wrote, so the marker need go no further than their newest
    // message; the user's own newest may not be stored yet, which chat-api would refuse (404).
    const others = (conversations[sessionId]?.items ?? []).filter(
      (item) => !(item.message.author?.kind === 'user' && item.message.author.id === me.id),
    );
    const newest = sentIdsNewestFirst(others)[0];
    if (newest === undefined || this.#sent.get(sessionId) === newest) return;
    this.#inFlight.add(sessionId);
    let retry = false;
    try {
      await this.#api.markRead(sessionId, newest);
      this.#sent.set(sessionId, newest);
    } catch (error) {
      // Otherwise the next message read moves the marker past this one anyway.
      retry = error instanceof ApiError && error.code === 'MESSAGE_NOT_FOUND' && tries + 1 < MAX_TRIES;
    } finally {
      this.#inFlight.delete(sessionId);
    }
    if (retry) {
      this.#timers.set(
        sessionId,
        setTimeout(
          () => {
            this.#timers.delete(sessionId);
            void this.#send(sessionId, tries + 1);
          },
          RETRY_MS * (tries + 1),
        ),
      );
    } else {
      // Anything newer read while this one was on its way.
      void this.#send(sessionId, 0);
    }
  }
}
