import type { ChatApi } from '../api/chat-api.ts';
import { describeError } from '../api/describe-error.ts';
import type { ChatState, SearchState } from './chat-state.ts';
import type { Store } from './store.ts';

/** Results a page of `GET /api/search` asks for. */
const SEARCH_PAGE_SIZE = 20;

/** Full-text search over the messages of the user's sessions (`GET /api/search`), newest first. */
export class MessageSearch {
  readonly #store: Store<ChatState>;
  readonly #api: ChatApi;

  constructor(store: Store<ChatState>, api: ChatApi) {
    this.#store = store;
    this.#api = api;
  }

  /** Searches for `query`; an empty one ends the search. An answer to a query no longer asked is dropped. */
  async run(query: string): Promise<void> {
    const q = query.trim();
    if (q === '') {
      this.clear();
      return;
    }
    this.#store.update((state) => ({ ...state, search: { query: q, results: [], loading: true, hasMore: false } }));
    await this.#page(q, undefined);
  }

  /** Loads the results older than the last one shown. */
  async more(): Promise<void> {
    const search = this.#store.get().search;
    const last = search?.results.at(-1);
    if (search === undefined || !search.hasMore || search.loading || last === undefined) return;
    this.#set(search.query, () => ({ loading: true }));
    await this.#page(search.query, last.id);
  }

  clear(): void {
    this.#store.update(({ search: _search, ...state }) => state);
  }

  async #page(query: string, before: string | undefined): Promise<void> {
    try {
      const page = await this.#api.searchMessages(query, before, SEARCH_PAGE_SIZE);
      this.#set(query, (current) => {
        const held = new Set(current.results.map((message) => message.id));
        return {
          results: [...current.results, ...page.messages.filter((message) => !held.has(message.id))],
          hasMore: page.has_more,
          loading: false,
          error: undefined,
        };
      });
    } catch (error) {
      this.#set(query, () => ({ loading: false, error: describeError(error) }));
    }
  }

  #set(query: string, change: (current: SearchState) => Partial<SearchState>): void {
    this.#store.update((state) =>
      state.search?.query === query ? { ...state, search: { ...state.search, ...change(state.search) } } : state,
    );
  }
}
