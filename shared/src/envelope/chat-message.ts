import type { Message } from '../contract/http.ts';

export type { Author, BotAuthor, UserAuthor } from '../contract/http.ts';

/** A chat message as every part sees it: the contract's `Message` (HTTP.md), one declaration for all. */
export type ChatMessage = Message;

/** What a message just posted shows of replies, edits, deletes and reactions: none yet. */
export const NEW_MESSAGE_STATE = {
  reply_count: 0,
  edited_at: null,
  deleted_at: null,
  reactions: [],
} as const satisfies Pick<Message, 'reply_count' | 'edited_at' | 'deleted_at' | 'reactions'>;
