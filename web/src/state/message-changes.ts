// Pure application of AMQP.md's message changes (`message.edited`, `message.deleted`,
// `reaction.added`, `reaction.removed`) to the messages the client holds.
import type { Message, SessionEvent } from '../api/types.ts';
import type { ChatState } from './chat-state.ts';
import { withReaction } from './reactions.ts';

/** One change to a stored message, as its event says. */
export type MessageChange =
  | { readonly kind: 'edited'; readonly messageId: string; readonly content: string; readonly editedAt: string }
  | { readonly kind: 'deleted'; readonly messageId: string; readonly deletedAt: string }
  | {
      readonly kind: 'reaction';
      readonly messageId: string;
      readonly emoji: string;
      readonly added: boolean;
      /** The user who reacted is the caller. */
      readonly mine: boolean;
    };

/** The change a session event makes to a message, if it is one of the four; `myId` is the caller. */
export function changeOfEvent(event: SessionEvent, myId: string): MessageChange | undefined {
  switch (event.event) {
    case 'message.edited':
      return {
        kind: 'edited',
        messageId: event.data.message_id,
        content: event.data.content,
        editedAt: event.data.edited_at,
      };
    case 'message.deleted':
      return { kind: 'deleted', messageId: event.data.message_id, deletedAt: event.data.deleted_at };
    case 'reaction.added':
    case 'reaction.removed':
      return {
        kind: 'reaction',
        messageId: event.data.message_id,
        emoji: event.data.emoji,
        added: event.event === 'reaction.added',
        mine: event.data.user.id === myId,
      };
    default:
      return undefined;
  }
}

/**
 * The message after `change` (itself when the change is not for it or changes nothing). As the
 * persister applies them: a deleted message takes no more changes and becomes a tombstone
 * (content `""`, extra `{}`, no reactions); an edit counts only when later than the one shown,
 * so an edit heard twice (the author's answer, then its event) or late changes nothing.
 */
export function changedMessage(message: Message, change: MessageChange): Message {
  if (message.id !== change.messageId || message.deleted_at !== null) return message;
  switch (change.kind) {
    case 'edited':
      if (message.edited_at !== null && change.editedAt <= message.edited_at) return message;
      return { ...message, content: change.content, edited_at: change.editedAt };
    case 'deleted':
      return { ...message, content: '', extra: {}, reactions: [], deleted_at: change.deletedAt };
    case 'reaction': {
      const reactions = withReaction(message.reactions, change.emoji, change.added, change.mine);
      return reactions === message.reactions ? message : { ...message, reactions };
    }
  }
}

/**
 * `change` applied to whichever entry of `list` holds its message (`messageOf` reads it, `withMessage`
 * puts the changed one back); the list itself when nothing changed, so the state keeps its references.
 */
export function changeAll<T>(
  list: readonly T[],
  change: MessageChange,
  messageOf: (entry: T) => Message,
  withMessage: (entry: T, message: Message) => T,
): readonly T[] {
  const index = list.findIndex((entry) => messageOf(entry).id === change.messageId);
  const entry = list[index];
  if (entry === undefined) return list;
  const changed = changedMessage(messageOf(entry), change);
  if (changed === messageOf(entry)) return list;
  const next = [...list];
  next[index] = withMessage(entry, changed);
  return next;
}

/**
 * The state after `change` (at `now`) to a message of session `sessionId`, wherever it is held: the
 * conversation, the open thread, the search results (a deleted message leaves them: search never
 * finds one) and the session's last message. The state itself when nothing changed.
 */
export function changeState(
  state: ChatState,
  sessionId: string,
  change: MessageChange,
  now: number = Date.now(),
): ChatState {
  let next = state;
  const conversation = state.conversations[sessionId];
  if (conversation !== undefined) {
    const items = changeAll(
      conversation.items,
      change,
      (item) => item.message,
      (item, message) => ({ ...item, message, changedAt: now }),
    );
    if (items !== conversation.items) {
      next = { ...next, conversations: { ...next.conversations, [sessionId]: { ...conversation, items } } };
    }
  }
  const { thread } = state;
  if (thread?.sessionId === sessionId) {
    const root = thread.root === undefined ? undefined : changedMessage(thread.root, change);
    const replies = changeAll(thread.replies, change, same, (_, message) => message);
    if (root !== thread.root || replies !== thread.replies) next = { ...next, thread: { ...thread, root, replies } };
  }
  const { search } = state;
  if (search !== undefined) {
    const results =
      change.kind === 'deleted'
        ? without(search.results, change.messageId)
        : changeAll(search.results, change, same, (_, message) => message);
    if (results !== search.results) next = { ...next, search: { ...search, results } };
  }
  const session = state.sessions.find((candidate) => candidate.id === sessionId);
  const last = session?.last_message;
  if (session !== undefined && last != null) {
    const changed = changedMessage(last, change);
    if (changed !== last) {
      next = {
        ...next,
        sessions: next.sessions.map((candidate) =>
          candidate === session ? { ...session, last_message: changed } : candidate,
        ),
      };
    }
  }
  return next;
}

const same = (message: Message): Message => message;

/** `messages` without the one with `id` (itself if it has none). */
const without = (messages: readonly Message[], id: string): readonly Message[] =>
  messages.some((message) => message.id === id) ? messages.filter((message) => message.id !== id) : messages;
