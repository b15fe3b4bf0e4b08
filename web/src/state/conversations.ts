import { ApiError } from '../api/api-error.ts';
import type { ChatApi } from '../api/chat-api.ts';
import { describeError } from '../api/describe-error.ts';
import type { Message } from '../api/types.ts';
import { KeyedQueue } from '../lib/keyed-queue.ts';
import { uuidv7 } from '../lib/uuid.ts';
import { type ChatState, type Conversation, EMPTY_CONVERSATION } from './chat-state.ts';
import {
  addPending,
  mergeAfter,
  mergeLatest,
  oldestSentId,
  prependOlder,
  refreshHeld,
  setStatus,
  storedIdsNewestFirst,
  upsertMessage,
} from './message-list.ts';
import { bumpSession } from './session-list.ts';
import type { Store } from './store.ts';

/** Messages a history page asks for when opening a session or scrolling back. */
const PAGE_SIZE = 50;
/** Messages a page asks for when filling a gap, and how many such pages before giving up on the gap. */
const GAP_PAGE_SIZE = 100;
const MAX_GAP_PAGES = 10;
/** Cursors tried for `after=`: the newest may not be stored yet (the persister lags a little). */
const MAX_ANCHORS = 5;
/**
 * How long after a live message arrived history must have it: the persister's lag is kept well
 * under a second (WEBSOCKET.md); this leaves room for a busy moment. A live message history still
 * lacks after this was refused (an id stored in another session, say), and a gap fill drops it.
 */
export const SETTLE_MS = 5000;

/** What arrived live before this (ms) history has stored, unless it refused it. */
const settledBefore = (): number => Date.now() - SETTLE_MS;

/** Messages a page asks for when paging back to a message to show, and how many such pages at most. */
const REVEAL_PAGE_SIZE = 100;
const MAX_REVEAL_PAGES = 20;

/** A gap too long to fill page by page: the newest page is loaded instead. */
class GapTooLong extends Error {}

/** The history of each opened session: loading it, paging back, sending, and filling gaps. */
export class Conversations {
  readonly #store: Store<ChatState>;
  readonly #api: ChatApi;
  /** First loads and pages back under way, by session id: a second caller waits for the same one. */
  readonly #loading = new Map<string, Promise<void>>();
  readonly #loadingOlder = new Map<string, Promise<void>>();
  /** Each session's posts, one at a time. */
  readonly #posting = new KeyedQueue();

  constructor(store: Store<ChatState>, api: ChatApi) {
    this.#store = store;
    this.#api = api;
  }

  #update(id: string, change: (conversation: Conversation) => Partial<Conversation>): void {
    this.#store.update((state) => {
      const current = state.conversations[id] ?? EMPTY_CONVERSATION;
      return { ...state, conversations: { ...state.conversations, [id]: { ...current, ...change(current) } } };
    });
  }

  /** Loads the newest page of a session the first time it is opened (or after a failed try). */
  load(id: string): Promise<void> {
    if (this.#store.get().conversations[id]?.loaded) return Promise.resolve();
    const running = this.#loading.get(id);
    if (running !== undefined) return running;
    const loading = this.#loadFirst(id).finally(() => this.#loading.delete(id));
    this.#loading.set(id, loading);
    return loading;
  }

  async #loadFirst(id: string): Promise<void> {
    try {
      await this.#mergeNewestPage(id, settledBefore(), false, (_current, hasMore) => ({
        loaded: true,
        hasOlder: hasMore,
        error: undefined,
      }));
    } catch (error) {
      this.#update(id, () => ({ error: describeError(error) }));
    }
  }

  /** Loads the page before the oldest message held, when there is one (`size` messages). */
  loadOlder(id: string, size = PAGE_SIZE): Promise<void> {
    const running = this.#loadingOlder.get(id);
    if (running !== undefined) return running;
    const current = this.#store.get().conversations[id];
    const cursor = current === undefined ? undefined : oldestSentId(current.items);
    if (!current?.loaded || !current.hasOlder || cursor === undefined) return Promise.resolve();
    const loading = this.#loadOlderFrom(id, cursor, size).finally(() => this.#loadingOlder.delete(id));
    this.#loadingOlder.set(id, loading);
    return loading;
  }

  async #loadOlderFrom(id: string, cursor: string, size: number): Promise<void> {
    this.#update(id, () => ({ loadingOlder: true }));
    try {
      const page = await this.#api.messages(id, { before: cursor }, size);
      this.#update(id, (conversation) => ({
        items: prependOlder(conversation.items, page.messages),
        hasOlder: page.has_more,
        loadingOlder: false,
      }));
    } catch (error) {
      this.#update(id, () => ({ loadingOlder: false, error: describeError(error) }));
    }
  }

  /**
   * Whether the conversation holds `messageId` after loading it and paging back as far as needed
   * (at most {@link MAX_REVEAL_PAGES} pages): a search result opened in its session. History is
   * kept one unbroken stretch up to the newest message, which gap filling relies on, so the way to
   * an old message is through the pages after it.
   */
  async reveal(id: string, messageId: string): Promise<boolean> {
    const holds = () => this.#store.get().conversations[id]?.items.some((item) => item.message.id === messageId);
    await this.load(id);
    for (let pages = 0; !holds() && pages < MAX_REVEAL_PAGES; pages += 1) {
      const before = this.#store.get().conversations[id];
      if (!before?.loaded || !before.hasOlder) break;
      await this.loadOlder(id, REVEAL_PAGE_SIZE);
      // A page that failed or brought nothing new: paging further would ask the same again.
      if (this.#store.get().conversations[id]?.items === before.items) break;
    }
    return holds() ?? false;
  }

  /**
   * Shows the user's message at once and posts it with an id of the client's making; with
   * `replyTo`, as a reply in that root's thread.
   */
  send(id: string, content: string, replyTo: string | null = null): void {
    const { me } = this.#store.get();
    const message: Message = {
      id: uuidv7(),
      session_id: id,
      author: { kind: 'user', id: me.id, username: me.username },
      type: 'text',
      content,
      extra: null,
      created_at: new Date().toISOString(),
      reply_to: replyTo,
      reply_count: 0,
      edited_at: null,
      deleted_at: null,
      reactions: [],
    };
    this.#update(id, (conversation) => ({ items: addPending(conversation.items, message) }));
    this.#bump(message);
    this.#send(message);
  }

  /** Posts a failed message again with the same id: chat-api never stores it twice. */
  retry(id: string, messageId: string): void {
    const item = this.#store.get().conversations[id]?.items.find((candidate) => candidate.message.id === messageId);
    if (item === undefined || item.status !== 'failed') return;
    this.#update(id, (conversation) => ({ items: setStatus(conversation.items, messageId, 'sending') }));
    this.#send(item.message);
  }

  /**
   * Posts after the session's previous post was answered. Posted at once, two messages typed in
   * quick succession could reach the broker (and so everyone's history) in the other order: the
   * offline browser test caught Bob's history holding "message 17" before "message 16".
   */
  #send(message: Message): void {
    void this.#posting.run(message.session_id, () => this.#post(message));
  }

  /**
   * A message that arrived on the socket. Kept even for a session not opened yet: the persister may
   * not have stored it when the session is opened, and the first page is merged with it then.
   */
  received(message: Message): void {
    const at = Date.now();
    this.#update(message.session_id, (conversation) => ({ items: upsertMessage(conversation.items, message, at) }));
  }

  /** Whether the conversation holds a message already (it came live, or the user sent it). */
  holds(message: Message): boolean {
    return (
      this.#store
        .get()
        .conversations[message.session_id]?.items.some(
          (item) => item.message.id === message.id && item.status === 'sent',
        ) ?? false
    );
  }

  /** Ids of sessions whose history is loaded. */
  loadedIds(): string[] {
    return Object.entries(this.#store.get().conversations)
      .filter(([, conversation]) => conversation.loaded)
      .map(([id]) => id);
  }

  /** Forgets a session's history (the user left it, or it was deleted). */
  forget(id: string): void {
    this.#store.update((state) => {
      if (!(id in state.conversations)) return state;
      const { [id]: _gone, ...rest } = state.conversations;
      return { ...state, conversations: rest };
    });
  }

  /**
   * Fills the gap after a reconnect (WEBSOCKET.md): what chat-api stored after the newest message
   * held, merged by id, and live messages history refused dropped (AMQP.md: clients replace what
   * they saw live with history when they fill a gap). A cursor chat-api does not know yet (stored a
   * moment later) is skipped for the one before; with none that works, or a gap of many pages, the
   * newest page is loaded. Either way the newest page's messages replace the held copies, so
   * edits, deletes and reactions made while the socket was down show too.
   */
  async catchUp(id: string): Promise<void> {
    const current = this.#store.get().conversations[id];
    if (!current?.loaded) return;
    // Taken before asking: history answers with what was stored by the time it is asked.
    const settled = settledBefore();
    for (const anchor of storedIdsNewestFirst(current.items).slice(0, MAX_ANCHORS)) {
      try {
        const fetched = await this.#everythingAfter(id, anchor);
        this.#update(id, (conversation) => ({
          items: mergeAfter(conversation.items, anchor, fetched, settled, Date.now()),
        }));
        await this.#refreshNewestPage(id);
        return;
      } catch (error) {
        if (error instanceof ApiError && error.code === 'MESSAGE_NOT_FOUND') continue;
        if (error instanceof GapTooLong) break;
        throw error;
      }
    }
    await this.#mergeNewestPage(id, settled, true, (conversation, hasMore) => ({
      hasOlder: conversation.hasOlder || hasMore,
    }));
  }

  /**
   * Merges the newest page into what the conversation holds, with what else the page says
   * (`also`) in the same update. `settled` is taken before the caller's first request;
   * `heldMayBeOlder`: the messages held may reach further back than the page.
   */
  async #mergeNewestPage(
    id: string,
    settled: number,
    heldMayBeOlder: boolean,
    also: (conversation: Conversation, hasMore: boolean) => Partial<Conversation>,
  ): Promise<void> {
    const page = await this.#api.messages(id, {}, PAGE_SIZE);
    this.#update(id, (conversation) => ({
      items: mergeLatest(conversation.items, page.messages, {
        complete: !page.has_more,
        heldMayBeOlder,
        settledBefore: settled,
        now: Date.now(),
      }),
      ...also(conversation, page.has_more),
    }));
  }

  /**
   * History's version of the held messages in the newest page: changes made to messages stored
   * before the gap's cursor, which the socket did not deliver while it was down.
   */
  async #refreshNewestPage(id: string): Promise<void> {
    const page = await this.#api.messages(id, {}, PAGE_SIZE);
    this.#update(id, (conversation) => ({ items: refreshHeld(conversation.items, page.messages, Date.now()) }));
  }

  async #everythingAfter(id: string, anchor: string): Promise<Message[]> {
    const messages: Message[] = [];
    let cursor = anchor;
    for (let pages = 0; pages < MAX_GAP_PAGES; pages += 1) {
      const page = await this.#api.messages(id, { after: cursor }, GAP_PAGE_SIZE);
      messages.push(...page.messages);
      const last = page.messages.at(-1);
      if (!page.has_more || last === undefined) return messages;
      cursor = last.id;
    }
    throw new GapTooLong();
  }

  async #post(message: Message): Promise<void> {
    try {
      const stored = await this.#api.post(message.session_id, message.id, message.content, message.reply_to);
      const at = Date.now();
      this.#update(message.session_id, (conversation) => ({ items: upsertMessage(conversation.items, stored, at) }));
      this.#bump(stored);
    } catch (error) {
      this.#update(message.session_id, (conversation) => ({
        items: setStatus(conversation.items, message.id, 'failed', describeError(error)),
      }));
    }
  }

  #bump(message: Message): void {
    this.#store.update((state) => {
      const sessions = bumpSession(state.sessions, message, false);
      return sessions === undefined ? state : { ...state, sessions };
    });
  }
}
