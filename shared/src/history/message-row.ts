import type { Reaction } from '../contract/http.ts';
import type { Author, ChatMessage } from '../envelope/index.ts';

/** Who wrote a stored message, as its columns say: a chat user, a bot, or nobody (unattributed). */
export type AuthorKind = 'user' | 'bot' | 'system';

/** The columns of a message as the persister inserts them into `history.messages`. */
export interface NewMessageRow {
  id: string;
  session_id: string;
  author_kind: AuthorKind;
  /** The id of a user author, else null. */
  author_id: string | null;
  /** The username of a user author, the AMQP user of a bot, null for an unattributed message. */
  author_name: string | null;
  type: string;
  content: string;
  extra: Readonly<Record<string, unknown>> | null;
  /** ISO-8601, as the envelope gives it. */
  created_at: string;
  /** The message it replies to, as posted; the persister stores the root of that message's thread. */
  reply_to: string | null;
}

/** A row of `history.messages` as a reader selects it. */
export interface MessageRow extends Omit<NewMessageRow, 'created_at' | 'extra'> {
  /** The order messages were stored in: a bigint, as pg returns it, a decimal string. */
  seq: string;
  extra: Record<string, unknown> | null;
  created_at: Date;
  edited_at: Date | null;
  deleted_at: Date | null;
}

/** What a `Message` shows beyond its row: counted from other rows (replies, `history.reactions`). */
export interface MessageDetails {
  /** Replies in its thread; 0 for a reply. */
  readonly reply_count: number;
  /** Its reactions as the caller sees them, most reacted first. */
  readonly reactions: readonly Reaction[];
}

/** The details of a message nothing replied or reacted to. */
export const NO_DETAILS: MessageDetails = { reply_count: 0, reactions: [] };

/** The columns of {@link MessageRow}, for queries that select a message. */
export const MESSAGE_COLUMNS = [
  'seq',
  'id',
  'session_id',
  'author_kind',
  'author_id',
  'author_name',
  'type',
  'content',
  'extra',
  'created_at',
  'reply_to',
  'edited_at',
  'deleted_at',
] as const satisfies readonly (keyof MessageRow)[];

/** The row the persister stores for a message. */
export function messageRowOf(message: ChatMessage): NewMessageRow {
  const { author } = message;
  return {
    id: message.id,
    session_id: message.session_id,
    author_kind: author === null ? 'system' : author.kind,
    author_id: author?.kind === 'user' ? author.id : null,
    author_name: author === null ? null : author.kind === 'user' ? author.username : author.name,
    type: message.type,
    content: message.content,
    extra: message.extra,
    created_at: message.created_at,
    reply_to: message.reply_to,
  };
}

/**
 * The `Message` of HTTP.md for a stored row and its details: the inverse of {@link messageRowOf}.
 * A deleted message is a tombstone (HTTP.md): `content` `""`, `extra` `{}`, no reactions.
 */
export function messageOf(row: MessageRow, details: MessageDetails = NO_DETAILS): ChatMessage {
  const author: Author =
    row.author_kind === 'user'
      ? { kind: 'user', id: row.author_id ?? '', username: row.author_name ?? '' }
      : row.author_kind === 'bot'
        ? { kind: 'bot', name: row.author_name ?? '' }
        : null;
  return {
    id: row.id,
    session_id: row.session_id,
    author,
    type: row.type,
    content: row.deleted_at === null ? row.content : '',
    extra: row.deleted_at === null ? row.extra : {},
    created_at: row.created_at.toISOString(),
    reply_to: row.reply_to,
    reply_count: row.reply_to === null ? details.reply_count : 0,
    edited_at: row.edited_at?.toISOString() ?? null,
    deleted_at: row.deleted_at?.toISOString() ?? null,
    reactions: row.deleted_at === null ? details.reactions : [],
  };
}
