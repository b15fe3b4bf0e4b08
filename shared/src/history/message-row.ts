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
}

/** A row of `history.messages` as a reader selects it. */
export interface MessageRow extends Omit<NewMessageRow, 'created_at' | 'extra'> {
  /** The order messages were stored in: a bigint, as pg returns it, a decimal string. */
  seq: string;
  extra: Record<string, unknown> | null;
  created_at: Date;
}

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
  };
}

/** The `Message` of HTTP.md for a stored row: the inverse of {@link messageRowOf}. */
export function messageOf(row: MessageRow): ChatMessage {
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
    content: row.content,
    extra: row.extra,
    created_at: row.created_at.toISOString(),
  };
}
