import type { Message, Session, User } from '../../src/api/types.ts';
import { type ChatState, initialChatState } from '../../src/state/chat-state.ts';

/** The user the state belongs to. */
export const ME: User = { id: 'me', username: 'alice', created_at: '2026-01-01T00:00:00.000Z' };

/** A stored message of `alice` in session `s`, `second` seconds into 2026, with what else is given. */
export function messageOf(id: string, second: number, more: Partial<Message> = {}): Message {
  return {
    id,
    session_id: 's',
    author: { kind: 'user', id: ME.id, username: ME.username },
    type: 'text',
    content: id,
    extra: null,
    created_at: new Date(Date.UTC(2026, 0, 1, 12, 0, second)).toISOString(),
    reply_to: null,
    reply_count: 0,
    edited_at: null,
    deleted_at: null,
    reactions: [],
    ...more,
  };
}

/** Session `s`, its last message `last`. */
export function sessionOf(last: Message | null): Session {
  return {
    id: 's',
    kind: 'group',
    name: 'Room',
    visibility: 'private',
    owner_id: ME.id,
    created_at: '2026-01-01T00:00:00.000Z',
    bumped_at: '2026-01-01T00:00:00.000Z',
    version: 1,
    member_count: 2,
    last_message: last,
    unread_count: 0,
  };
}

/** A state holding `messages` in session `s`, loaded. */
export function stateWith(messages: readonly Message[]): ChatState {
  const state = initialChatState(ME, 's');
  return {
    ...state,
    sessions: [sessionOf(messages.at(-1) ?? null)],
    conversations: {
      s: {
        items: messages.map((message) => ({ message, status: 'sent' })),
        loaded: true,
        hasOlder: false,
        loadingOlder: false,
      },
    },
  };
}
