import type { Reaction } from '@warren/shared/contract';
import type { Knex } from '@warren/shared/db';
import type { ChatMessage } from '@warren/shared/envelope';
import { HISTORY_SCHEMA, type MessageDetails, type MessageRow, messageOf, NO_DETAILS } from '@warren/shared/history';

/**
 * Replies per thread root, by the `messages_thread` index (`reply_to`, `seq`). Binding: the roots'
 * ids, an array.
 */
const REPLY_COUNTS = `select reply_to as id, count(*)::int as count
  from ${HISTORY_SCHEMA}.messages where reply_to = any(?::uuid[]) group by reply_to`;

/**
 * The reactions present on each message, as the caller sees them: users counted once per emoji
 * (the primary key holds one row per message, user and emoji), `me` when the caller is among them,
 * most reacted first, ties by the emoji whose present rows' earliest change came first (`min` over
 * the ids as text, which sorts UUIDs alike: PostgreSQL has no `min(uuid)`), then by the emoji
 * itself, so the order never changes between two reads of the same state. Removed reactions
 * (`present` false) are kept by the persister and counted by none. Bindings: the caller's id, the
 * messages' ids, an array.
 */
const REACTIONS = `select message_id, emoji, count(*) filter (where present)::int as count,
    bool_or(present and user_id = ?::uuid) as me
  from ${HISTORY_SCHEMA}.reactions where message_id = any(?::uuid[])
  group by message_id, emoji
  having count(*) filter (where present) > 0
  order by message_id, count desc, min(change_id::text) filter (where present), emoji`;

interface ReactionRow extends Reaction {
  message_id: string;
}

/**
 * What a `Message` shows beyond its row (HTTP.md: `reply_count`, `reactions` with `me`), for every
 * message chat-api answers: a history page, a thread, search results, a session's last message, a
 * post's answer. A whole page costs at most two queries, whatever its size, and none are asked
 * about what cannot have them: replies have no replies, tombstones show no reactions.
 */
export class MessageDetailsStore {
  readonly #db: Knex;

  constructor(db: Knex) {
    this.#db = db;
  }

  /** The details of each row's message as `callerId` sees them, by message id. */
  async detailsOf(rows: readonly MessageRow[], callerId: string): Promise<Map<string, MessageDetails>> {
    const roots = rows.filter((row) => row.reply_to === null).map((row) => row.id);
    const live = rows.filter((row) => row.deleted_at === null).map((row) => row.id);
    const [counts, reactions] = await Promise.all([
      roots.length === 0
        ? []
        : this.#db.raw<{ rows: { id: string; count: number }[] }>(REPLY_COUNTS, [roots]).then((r) => r.rows),
      live.length === 0 ? [] : this.#db.raw<{ rows: ReactionRow[] }>(REACTIONS, [callerId, live]).then((r) => r.rows),
    ]);
    const details = new Map<string, { reply_count: number; reactions: Reaction[] }>();
    const of = (id: string) => {
      let found = details.get(id);
      if (found === undefined) {
        found = { reply_count: 0, reactions: [] };
        details.set(id, found);
      }
      return found;
    };
    for (const { id, count } of counts) of(id).reply_count = count;
    for (const { message_id, emoji, count, me } of reactions) of(message_id).reactions.push({ emoji, count, me });
    return details;
  }

  /** The `Message` of each row, in the same order, with its details as `callerId` sees them. */
  async messagesOf(rows: readonly MessageRow[], callerId: string): Promise<ChatMessage[]> {
    const details = await this.detailsOf(rows, callerId);
    return rows.map((row) => messageOf(row, details.get(row.id) ?? NO_DETAILS));
  }

  /** One row's `Message`, with its details as `callerId` sees them. */
  async messageOf(row: MessageRow, callerId: string): Promise<ChatMessage> {
    const [message] = await this.messagesOf([row], callerId);
    if (message === undefined) throw new Error('messageOf: no message for one row');
    return message;
  }
}
