import type { ChatApi } from '../api/chat-api.ts';
import type { ChatState, Typist } from './chat-state.ts';
import type { Store } from './store.ts';

/** chat-api publishes at most one `typing` event per user and session this often (HTTP.md). */
const SEND_EVERY_MS = 2000;
/** How long one `typing` event shows someone typing: a little more than chat-api's 2 s between events. */
const SHOW_FOR_MS = 4000;

/** The typing indicator: tells chat-api the user is typing, and shows who else is. */
export class Typing {
  readonly #store: Store<ChatState>;
  readonly #api: ChatApi;
  readonly #lastSent = new Map<string, number>();
  #pruneTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(store: Store<ChatState>, api: ChatApi) {
    this.#store = store;
    this.#api = api;
  }

  /** The user typed in a session's composer. */
  typed(sessionId: string): void {
    const now = Date.now();
    if (now - (this.#lastSent.get(sessionId) ?? 0) < SEND_EVERY_MS) return;
    this.#lastSent.set(sessionId, now);
    // Only a hint to others: a typing notice that does not arrive costs nothing.
    this.#api.typing(sessionId).catch(() => undefined);
  }

  /** Someone is typing in a session (a `typing` event). */
  received(sessionId: string, user: { id: string; username: string }): void {
    if (user.id === this.#store.get().me.id) return;
    const typist: Typist = { id: user.id, username: user.username, until: Date.now() + SHOW_FOR_MS };
    this.#set(sessionId, (typists) => [...typists.filter((other) => other.id !== user.id), typist]);
    this.#schedulePrune();
  }

  /** Someone's message arrived: they have stopped typing it. */
  stopped(sessionId: string, userId: string): void {
    this.#set(sessionId, (typists) => typists.filter((typist) => typist.id !== userId));
  }

  stop(): void {
    clearTimeout(this.#pruneTimer);
  }

  #set(sessionId: string, change: (typists: readonly Typist[]) => readonly Typist[]): void {
    this.#store.update((state) => {
      const before = state.typing[sessionId] ?? [];
      const after = change(before);
      if (after.length === before.length && after.every((typist, i) => typist === before[i])) return state;
      return { ...state, typing: { ...state.typing, [sessionId]: after } };
    });
  }

  #schedulePrune(): void {
    clearTimeout(this.#pruneTimer);
    const untils = Object.values(this.#store.get().typing).flatMap((typists) => typists.map((typist) => typist.until));
    if (untils.length === 0) return;
    this.#pruneTimer = setTimeout(
      () => {
        const now = Date.now();
        for (const sessionId of Object.keys(this.#store.get().typing)) {
          this.#set(sessionId, (typists) => typists.filter((typist) => typist.until > now));
        }
        this.#schedulePrune();
      },
      Math.max(0, Math.min(...untils) - Date.now()),
    );
  }
}
