// Pure merging of a conversation's messages, oldest first, never holding one id twice. The server's
// order (the order history stores, `seq`) wins wherever it is known, and so does its content: where
// history has answered, what the client shows is what history says (AMQP.md: the gateway delivers
// a message the persister may then refuse, such as one reusing an id stored in another session).
import type { Message } from '../api/types.ts';
import type { ChatItem, SendStatus } from './chat-state.ts';

const sent = (message: Message): ChatItem => ({ message, status: 'sent' });

/**
 * How long after a change was applied here history may still lack it: the persister's lag is kept
 * well under a second (WEBSOCKET.md), as for live messages (conversations.ts `SETTLE_MS`).
 */
export const CHANGE_SETTLE_MS = 5000;

/**
 * History's version of a held message, `stored`, unless it predates what the client already shows:
 * history lags the live events by the persister's lag, and a page fetched meanwhile must not undo
 * them. A deletion is final, so a tombstone held stays one; an edit held that is later than
 * history's keeps its text; reactions changed here in the last {@link CHANGE_SETTLE_MS} stay as
 * shown (counts cannot be merged: history has no per-user sets). Everything else (replies,
 * reactions once settled, what the client missed) is history's.
 */
export function reconciled(held: ChatItem | undefined, stored: Message, now: number): ChatItem {
  if (held === undefined) return sent(stored);
  const shown = held.message;
  if (shown.deleted_at !== null && stored.deleted_at === null) return { ...held, status: 'sent' };
  let message = stored;
  if (shown.edited_at !== null && (stored.edited_at === null || shown.edited_at > stored.edited_at)) {
    message = { ...message, content: shown.content, edited_at: shown.edited_at };
  }
  const recent = held.changedAt !== undefined && now - held.changedAt < CHANGE_SETTLE_MS;
  if (recent && stored.deleted_at === null) message = { ...message, reactions: shown.reactions };
  return recent ? { message, status: 'sent', changedAt: held.changedAt } : sent(message);
}

/** Each stored message as {@link reconciled} with what `items` holds of it. */
const reconcileAll = (items: readonly ChatItem[], stored: readonly Message[], now: number): ChatItem[] => {
  const held = new Map(items.map((item) => [item.message.id, item]));
  return stored.map((message) => reconciled(held.get(message.id), message, now));
};

/**
 * Whether a held message that history did not return was refused by the persister rather than not
 * stored yet: it came from elsewhere (live, or chat-api's answer; history vouches for nothing
 * else), and history should have it by now, because a message held after it is stored (`index`
 * before `lastStored`), or it arrived before `settledBefore`.
 */
const refused = (item: ChatItem, index: number, lastStored: number, settledBefore: number): boolean =>
  item.receivedAt !== undefined && (index < lastStored || item.receivedAt <= settledBefore);

/** Position of the last held message whose id history returned, or -1. */
const lastIn = (items: readonly ChatItem[], ids: ReadonlySet<string>): number =>
  items.findLastIndex((item) => ids.has(item.message.id));

/** How {@link mergeLatest} reads the page. */
export interface LatestPage {
  /** The page is all of history (`has_more` false). */
  readonly complete: boolean;
  /** A conversation reset after a gap too long to fill: what is held may be older than the page. */
  readonly heldMayBeOlder: boolean;
  /** What arrived from elsewhere before this (ms) history has, unless the persister refused it. */
  readonly settledBefore: number;
  /** The client's clock (ms), for {@link reconciled}. */
  readonly now: number;
}

/**
 * The newest page (newest first, as chat-api answers) merged with what the client holds. When the
 * page reaches back into what is held, what is older stays in front and the rest goes after it.
 * Otherwise what is held and not in the page is newer than it (not stored yet: live messages, the
 * user's own on their way) and goes after it; except, when `heldMayBeOlder`, held history older
 * than the page, which is dropped (paging back brings it again) by its time. A message from
 * elsewhere the page should hold and does not was refused, and is dropped: the page answers for
 * every held position after its oldest message, and for all of them when it is complete or on a
 * reset.
 */
export function mergeLatest(
  items: readonly ChatItem[],
  pageNewestFirst: readonly Message[],
  { complete, heldMayBeOlder, settledBefore, now }: LatestPage,
): ChatItem[] {
  const page = reconcileAll(items, [...pageNewestFirst].reverse(), now);
  const ids = new Set(page.map((item) => item.message.id));
  const first = items.findIndex((item) => ids.has(item.message.id));
  const lastStored = lastIn(items, ids);
  const keep = (item: ChatItem, index: number) =>
    !ids.has(item.message.id) &&
    !((complete || heldMayBeOlder || (first >= 0 && index > first)) && refused(item, index, lastStored, settledBefore));
  const oldestPageId = page[0]?.message.id;
  const overlap = oldestPageId === undefined ? -1 : items.findIndex((item) => item.message.id === oldestPageId);
  if (overlap >= 0) {
    return [
      ...items.slice(0, overlap).filter((item, index) => keep(item, index)),
      ...page,
      ...items.slice(overlap).filter((item, index) => keep(item, overlap + index)),
    ];
  }
  const newest = page.at(-1)?.message.created_at ?? '';
  const later = items.filter(
    (item, index) =>
      keep(item, index) && (!heldMayBeOlder || item.status !== 'sent' || item.message.created_at >= newest),
  );
  return [...page, ...later];
}

/**
 * What came after `anchorId` (oldest first, from `after=`, up to the newest stored), filling a gap:
 * everything up to the anchor stays, then the server's messages in its order, then what is held
 * that it did not return (live messages not stored yet, the user's own still on their way). History
 * now answers for everything after the anchor, so a message from elsewhere it lacks and should
 * have (one held before a message it returned, or one that arrived before `settledBefore`) was
 * refused, and is dropped.
 */
export function mergeAfter(
  items: readonly ChatItem[],
  anchorId: string,
  fetched: readonly Message[],
  settledBefore: number,
  now: number,
): ChatItem[] {
  const anchor = items.findIndex((item) => item.message.id === anchorId);
  const ids = new Set(fetched.map((message) => message.id));
  const upTo = items.slice(0, anchor + 1);
  const after = items.slice(anchor + 1);
  const lastStored = lastIn(after, ids);
  const rest = after.filter(
    (item, index) => !ids.has(item.message.id) && !refused(item, index, lastStored, settledBefore),
  );
  const held = new Set(upTo.map((item) => item.message.id));
  const newer = fetched.filter((message) => !held.has(message.id));
  return [...upTo, ...reconcileAll(after, newer, now), ...rest];
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
 * A message that arrived live or that chat-api took, at `receivedAt`: replaces the item with its id,
 * else goes last. What history gave stays known as history's; otherwise the first arrival counts.
 */
export function upsertMessage(items: readonly ChatItem[], message: Message, receivedAt: number): ChatItem[] {
  const index = items.findIndex((item) => item.message.id === message.id);
  if (index < 0) return [...items, { ...sent(message), receivedAt }];
  const held = items[index];
  const fromHistory = held?.status === 'sent' && held.receivedAt === undefined;
  const next = [...items];
  next[index] = fromHistory ? sent(message) : { ...sent(message), receivedAt: held?.receivedAt ?? receivedAt };
  return next;
}

/**
 * History's version of each held message that `stored` holds (its edits, deletion, reactions and
 * replies as history has them now, unless they predate what is shown: {@link reconciled}), in
 * place: the order and what `stored` lacks stay. Answers `items` itself when it holds none of them.
 */
export function refreshHeld(items: readonly ChatItem[], stored: readonly Message[], now: number): readonly ChatItem[] {
  const byId = new Map(stored.map((message) => [message.id, message]));
  if (!items.some((item) => byId.has(item.message.id))) return items;
  return items.map((item) => {
    const message = byId.get(item.message.id);
    return message === undefined ? item : reconciled(item, message, now);
  });
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

/** Ids of messages chat-api has taken or delivered, newest first. */
export function sentIdsNewestFirst(items: readonly ChatItem[]): string[] {
  const ids: string[] = [];
  for (let i = items.length - 1; i >= 0; i -= 1) {
    const item = items[i];
    if (item?.status === 'sent') ids.push(item.message.id);
  }
  return ids;
}

/**
 * Ids of messages history gave, newest first: the cursors for `after=`. A fill after the newest of
 * them covers everything that came since from elsewhere, so all of it is checked against history.
 */
export function storedIdsNewestFirst(items: readonly ChatItem[]): string[] {
  const ids: string[] = [];
  for (let i = items.length - 1; i >= 0; i -= 1) {
    const item = items[i];
    if (item?.status === 'sent' && item.receivedAt === undefined) ids.push(item.message.id);
  }
  return ids;
}

/** The oldest message chat-api has: the cursor for `before=`. */
export function oldestSentId(items: readonly ChatItem[]): string | undefined {
  return items.find((item) => item.status === 'sent')?.message.id;
}
