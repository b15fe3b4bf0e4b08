import { ApiError } from '../api/api-error.ts';
import type { ChatApi } from '../api/chat-api.ts';
import { describeError } from '../api/describe-error.ts';
import type { Message } from '../api/types.ts';
import { KeyedQueue } from '../lib/keyed-queue.ts';
import type { ChatState } from './chat-state.ts';
import { changeState, type MessageChange } from './message-changes.ts';
import { reactedWith } from './reactions.ts';
import type { Store } from './store.ts';

/**
 * Tries of a change to a message chat-api does not hold (404). It waits up to 2 s for a message
 * not stored yet (people act on messages they saw live, before the persister stored them); on a
 * busy machine the persister can lag longer, so the change is asked again, each try waiting anew.
 */
const TRIES_UNTIL_STORED = 3;

/** `call`, asked again while chat-api answers that it does not hold the message (yet). */
async function whenStored<T>(call: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries += 1) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof ApiError && error.code === 'MESSAGE_NOT_FOUND') || tries >= TRIES_UNTIL_STORED)
        throw error;
    }
  }
}

/** Where the state holds a message: its conversation, the open thread, or the search results. */
function heldMessage(state: ChatState, sessionId: string, messageId: string): Message | undefined {
  const byId = (message: Message) => message.id === messageId;
  const { thread } = state;
  return (
    state.conversations[sessionId]?.items.find((item) => byId(item.message))?.message ??
    (thread?.sessionId === sessionId
      ? [thread.root, ...thread.replies].find((m) => m !== undefined && byId(m))
      : undefined)
  );
}

/**
 * What users do to messages after posting them (HTTP.md "Message changes, reactions, threads and
 * search"), and the changes others make, heard live, applied wherever the message is held.
 */
export class MessageActions {
  readonly #store: Store<ChatState>;
  readonly #api: ChatApi;
  /** Each message's reactions with one emoji, one request at a time, so the last click wins. */
  readonly #reacting = new KeyedQueue();

  constructor(store: Store<ChatState>, api: ChatApi) {
    this.#store = store;
    this.#api = api;
  }

  /** A change to a message of session `sessionId`: heard live, or made here. */
  apply(sessionId: string, change: MessageChange): void {
    this.#store.update((state) => changeState(state, sessionId, change));
  }

  /**
   * Edits the user's own message; shown once chat-api has answered with it (a refused edit leaves
   * the text as it was).
   * @throws ApiError when chat-api refuses it.
   */
  async edit(sessionId: string, messageId: string, content: string): Promise<void> {
    const edited = await whenStored(() => this.#api.edit(sessionId, messageId, content));
    const editedAt = edited.edited_at ?? new Date().toISOString();
    this.apply(sessionId, { kind: 'edited', messageId, content: edited.content, editedAt });
  }

  /**
   * Deletes a message (the user's own, or any in a session they own); a tombstone once chat-api has
   * taken it. Its event then changes nothing more.
   * @throws ApiError when chat-api refuses it.
   */
  async remove(sessionId: string, messageId: string): Promise<void> {
    const tombstone = await whenStored(() => this.#api.deleteMessage(sessionId, messageId));
    const deletedAt = tombstone?.deleted_at ?? new Date().toISOString();
    this.apply(sessionId, { kind: 'deleted', messageId, deletedAt });
  }

  /**
   * Adds the user's reaction with `emoji`, or takes it back if they have it: shown at once, undone
   * with a notice if chat-api refuses it. A message's requests for one emoji go one at a time, in
   * the order clicked, so the last click is what history keeps.
   */
  toggleReaction(sessionId: string, messageId: string, emoji: string): Promise<void> {
    const message = heldMessage(this.#store.get(), sessionId, messageId);
    if (message === undefined || message.deleted_at !== null) return Promise.resolve();
    const on = !reactedWith(message.reactions, emoji);
    this.apply(sessionId, { kind: 'reaction', messageId, emoji, added: on, mine: true });
    return this.#reacting.run(`${messageId} ${emoji}`, async () => {
      try {
        await whenStored(() => this.#api.react(sessionId, messageId, emoji, on));
      } catch (error) {
        this.apply(sessionId, { kind: 'reaction', messageId, emoji, added: !on, mine: true });
        this.#store.update((state) => ({ ...state, notice: `Your reaction was not saved. ${describeError(error)}` }));
      }
    });
  }
}
