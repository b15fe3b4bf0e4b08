// Pure views of threads: what the main list shows, what a thread panel shows, and a root's count.
// Replies live in the conversation's items like every message (history pages and live frames
// carry them, and gap filling reads cursors from those items), but are shown only in their
// thread's panel, as Slack and Mattermost do.
import type { Message } from '../api/types.ts';
import type { ChatItem, ThreadState } from './chat-state.ts';

/** The items the main list shows: messages that are no reply. */
export function mainItems(items: readonly ChatItem[]): ChatItem[] {
  return items.filter((item) => item.message.reply_to === null);
}

/** The replies of a thread a panel shows, oldest first, in two parts around the "more" button. */
export interface ThreadItems {
  /**
   * The pages the thread route gave, each as the conversation holds it if it does (the user's own
   * on its way, or changed live).
   */
  readonly paged: ChatItem[];
  /** What the conversation holds of the thread that those pages lack: arrived live, or posted here. */
  readonly later: ChatItem[];
}

/** The replies a thread panel shows (see {@link ThreadItems}). */
export function threadItems(thread: ThreadState, items: readonly ChatItem[]): ThreadItems {
  const held = new Map<string, ChatItem>();
  for (const item of items) if (item.message.reply_to === thread.rootId) held.set(item.message.id, item);
  const paged = thread.replies.map((message) => held.get(message.id) ?? { message, status: 'sent' as const });
  const pagedIds = new Set(thread.replies.map((message) => message.id));
  return { paged, later: [...held.values()].filter((item) => !pagedIds.has(item.message.id)) };
}

/** How many replies to each root the conversation holds, by root id. */
export function heldReplyCounts(items: readonly ChatItem[]): ReadonlyMap<string, number> {
  const counts = new Map<string, number>();
  for (const { message } of items) {
    if (message.reply_to !== null) counts.set(message.reply_to, (counts.get(message.reply_to) ?? 0) + 1);
  }
  return counts;
}

/**
 * How many replies a root shows: its `reply_count`, or the replies the client holds if more (a
 * reply that arrived live, or that the user just posted, before the root is read again from
 * history). `held` is {@link heldReplyCounts} of its conversation.
 */
export function replyCountOf(root: Message, held: ReadonlyMap<string, number>): number {
  return Math.max(root.reply_count, held.get(root.id) ?? 0);
}
