import type { Knex } from '@warren/shared/db';
import type { ChatMessage } from '@warren/shared/envelope';
import { HISTORY_SCHEMA } from '@warren/shared/history';

/**
 * The thread root of each reply among `candidates` (indexes into `messages`), as `BATCH_STATEMENT`
 * resolves it, for the step-by-step path: the message `reply_to` names, stored or earlier in the
 * batch and of the same session, or that message's own root when it is a reply itself. A reply whose
 * target is found nowhere maps to null; a message that is no reply is absent from the map.
 */
export async function threadRootsOf(
  db: Knex,
  messages: readonly ChatMessage[],
  candidates: readonly number[],
): Promise<Map<number, string | null>> {
  const replies = candidates.filter((index) => (messages[index] as ChatMessage).reply_to !== null);
  const roots = new Map<number, string | null>();
  if (replies.length === 0) return roots;
  const targets = [...new Set(replies.map((index) => (messages[index] as ChatMessage).reply_to as string))];
  const rows: { id: string; session_id: string; reply_to: string | null }[] = await db
    .withSchema(HISTORY_SCHEMA)
    .from('messages')
    .select('id', 'session_id', 'reply_to')
    .whereIn('id', targets);
  const stored = new Map(rows.map((row) => [row.id, row]));
  const resolved = new Map<number, string | null>();
  const rootOf = (index: number): string | null => {
    const message = messages[index] as ChatMessage;
    if (message.reply_to === null) return message.id;
    if (resolved.has(index)) return resolved.get(index) ?? null;
    const target = stored.get(message.reply_to);
    let root: string | null = null;
    if (target !== undefined) root = target.session_id === message.session_id ? (target.reply_to ?? target.id) : null;
    else {
      const earlier = messages.findIndex(
        (other, at) => at < index && other.id === message.reply_to && other.session_id === message.session_id,
      );
      root = earlier === -1 ? null : rootOf(earlier);
    }
    resolved.set(index, root);
    return root;
  };
  for (const index of replies) roots.set(index, rootOf(index));
  return roots;
}
