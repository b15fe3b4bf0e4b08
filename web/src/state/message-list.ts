// Pure merging of a conversation's messages, oldest first, never holding one id twice. The server's
// order (the order history stores, `seq`) wins wherever it is known.
import type { Message } from '../api/types.ts';
import type { ChatItem, SendStatus } from './chat-state.ts';

const sent = (message: Message): ChatItem => ({ message, status: 'sent' });

/**
 * The newest page (newest first, as chat-api answers) merged with what the client holds. When the
 * page reaches back into what is held, what is older stays in front and the rest goes after it.
 * Otherwise what is held and not in the page is newer than it (not stored yet: live messages, the
 * user's own on their way) and goes after it; except, when `heldMayBeOlder` (a conversation reset
 * after a gap too long to fill), held history older than the page, which is dropped (paging back
 * brings it again) by its time.
 */
export function mergeLatest(
  items: readonly ChatItem[],
  pageNewestFirst: readonly Message[],
  heldMayBeOlder: boolean,
): ChatItem[] {
  const page = [...pageNewestFirst].reverse().map(sent);
  const ids = new Set(page.map((item) => item.message.id));
  const unseen = (item: ChatItem) => !ids.has(item.message.id);
  const oldestPageId = page[0]?.message.id;
  const overlap = oldestPageId === undefined ? -1 : items.findIndex((item) => item.message.id === oldestPageId);
  if (overlap >= 0) return [...items.slice(0, overlap).filter(unseen), ...page, ...items.slice(overlap).filter(unseen)];
  const newest = page.at(-1)?.message.created_at ?? '';
  const later = items.filter(
    (item) => unseen(item) && (!heldMayBeOlder || item.status !== 'sent' || item.message.created_at >= newest),
  );
  return [...page, ...later];
}

/** An older page (newest first, from `before=`) put in front of what is held. */
export function prependOlder(items: readonly ChatItem[], olderNewestFirst: readonly Message[]): ChatItem[] {
  const held = new Set(items.map((item) => item.message.id));
  const older = [...olderNewestFirst]
    .reverse()
    .filter((message) => !held.has(message.id))
    .map(sent);
  return [...older, ...items];
}

/**
 * What came after `anchorId` (oldest first, from `after=`), filling a gap: everything up to the
 * anchor stays, then the server's messages in its order, then what is held that it did not return
 * (live messages not stored yet, the user's own still on their way).
 */
export function mergeAfter(items: readonly ChatItem[], anchorId: string, fetched: readonly Message[]): ChatItem[] {
  const anchor = items.findIndex((item) => item.message.id === anchorId);
  const ids = new Set(fetched.map((message) => message.id));
  const upTo = items.slice(0, anchor + 1);
  const rest = items.slice(anchor + 1).filter((item) => !ids.has(item.message.id));
  const held = new Set(upTo.map((item) => item.message.id));
  return [...upTo, ...fetched.filter((message) => !held.has(message.id)).map(sent), ...rest];
}

/** A message that arrived live or was confirmed: replaces the item with its id, else goes last. */
export function upsertMessage(items: readonly ChatItem[], message: Message): ChatItem[] {
  const index = items.findIndex((item) => item.message.id === message.id);
  if (index < 0) return [...items, sent(message)];
  const next = [...items];
  next[index] = sent(message);
  return next;
}

/** The user's own message, shown at once, before chat-api has it. */
export function addPending(items: readonly ChatItem[], message: Message): ChatItem[] {
  return [...items, { message, status: 'sending' }];
}

/** Marks the user's own message `sending` again or `failed` (a confirmed one stays `sent`). */
export function setStatus(items: readonly ChatItem[], id: string, status: SendStatus, error?: string): ChatItem[] {
  return items.map((item) =>
    item.message.id === id && item.status !== 'sent'
      ? { message: item.message, status, ...(error === undefined ? {} : { error }) }
      : item,
  );
}

/** Ids of messages chat-api has, newest first: the cursors worth trying for `after=`. */
export function sentIdsNewestFirst(items: readonly ChatItem[]): string[] {
  const ids: string[] = [];
  for (let i = items.length - 1; i >= 0; i -= 1) {
    const item = items[i];
    if (item?.status === 'sent') ids.push(item.message.id);
  }
  return ids;
}

/** The oldest message chat-api has: the cursor for `before=`. */
export function oldestSentId(items: readonly ChatItem[]): string | undefined {
  return items.find((item) => item.status === 'sent')?.message.id;
}
