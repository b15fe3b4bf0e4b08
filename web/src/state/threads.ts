import type { ChatApi } from '../api/chat-api.ts';
import { describeError } from '../api/describe-error.ts';
import type { ChatState, ThreadState } from './chat-state.ts';
import type { Store } from './store.ts';

/** Replies a page of the thread route asks for. */
const THREAD_PAGE_SIZE = 50;
/** Pages asked for at most when looking for one reply (a search result). */
const MAX_REVEAL_PAGES = 20;

/**
 * The thread side panel: one thread open at a time, its root and replies read from the thread
 * route page by page (`after` the last reply held). Replies that arrive live, and those posted
 * from the panel (`Conversations.send` with `replyTo`), are in the conversation's items, and the
 * panel shows them from there (`threadItems`).
 */
export class Threads {
  readonly #store: Store<ChatState>;
  readonly #api: ChatApi;
  constructor(store: Store<ChatState>, api: ChatApi) {
    this.#store = store;
    this.#api = api;
  }

  /** Opens the panel on `rootId`'s thread and loads its first page (again, if it is open already). */
  async open(sessionId: string, rootId: string): Promise<void> {
    const thread: ThreadState = {
      sessionId,
      rootId,
      root: undefined,
      replies: [],
      loaded: false,
      hasMore: false,
      loadingMore: false,
    };
    this.#store.update((state) => ({ ...state, thread }));
    await this.#page(thread, undefined);
  }

  /** Loads the page after the last reply held. */
  async more(): Promise<void> {
    const thread = this.#store.get().thread;
    if (thread === undefined || !thread.hasMore || thread.loadingMore) return;
    this.#set(thread, { loadingMore: true });
    await this.#page(thread, thread.replies.at(-1)?.id);
  }

  /** Loads pages until the open thread holds `replyId` (a search result); whether it does. */
  async reveal(replyId: string): Promise<boolean> {
    const holds = () => this.#store.get().thread?.replies.some((reply) => reply.id === replyId) ?? false;
    for (let pages = 0; !holds() && pages < MAX_REVEAL_PAGES; pages += 1) {
      const before = this.#store.get().thread;
      if (before === undefined || !before.hasMore) break;
      await this.more();
      if (this.#store.get().thread?.replies === before.replies) break;
    }
    return holds();
  }

  close(): void {
    this.#store.update(({ thread: _thread, ...state }) => state);
  }

  async #page(thread: ThreadState, after: string | undefined): Promise<void> {
    try {
      const page = await this.#api.thread(thread.sessionId, thread.rootId, after, THREAD_PAGE_SIZE);
      this.#set(thread, (current) => {
        const held = new Set(current.replies.map((reply) => reply.id));
        return {
          root: page.root,
          replies: [...current.replies, ...page.replies.filter((reply) => !held.has(reply.id))],
          loaded: true,
          hasMore: page.has_more,
          loadingMore: false,
          error: undefined,
        };
      });
    } catch (error) {
      this.#set(thread, { loadingMore: false, error: describeError(error) });
    }
  }

  /** Changes the open thread if it is still `thread`'s (the panel may have moved on meanwhile). */
  #set(thread: ThreadState, change: Partial<ThreadState> | ((current: ThreadState) => Partial<ThreadState>)): void {
    this.#store.update((state) => {
      const current = state.thread;
      if (current === undefined || current.rootId !== thread.rootId || current.sessionId !== thread.sessionId) {
        return state;
      }
      const patch = typeof change === 'function' ? change(current) : change;
      return { ...state, thread: { ...current, ...patch } };
    });
  }
}
