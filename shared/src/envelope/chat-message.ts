import type { Message } from '../contract/http.ts';

export type { Author, BotAuthor, UserAuthor } from '../contract/http.ts';

/** A chat message as every part sees it: the contract's `Message` (HTTP.md), one declaration for all. */
export type ChatMessage = Message;
