import type { Knex } from 'knex';
import { databaseSchemas } from '../db/schemas.ts';

const CHAT_SCHEMA = databaseSchemas.chat;

/**
 * Every session with its members' ids (chat-api's `chat.sessions` and `chat.members`, read only), a page at a time by id, each page in its own transaction
 * with its sessions' rows share-locked while `work` runs, so a membership change (which locks the
 * row for update) waits for it.
 */
export async function forEachSessionPage(
  db: Knex,
  pageSize: number,
  work: (membersOf: ReadonlyMap<string, string[]>) => Promise<void>,
): Promise<void> {
  let after: string | undefined;
  for (;;) {
    const page = await db.transaction(async (trx) => {
      const query = trx.withSchema(CHAT_SCHEMA).table('sessions').orderBy('id').limit(pageSize).forShare();
      if (after !== undefined) query.where('id', '>', after);
      const ids: string[] = await query.pluck('id');
      if (ids.length === 0) return ids;
      const rows: { session_id: string; user_id: string }[] = await trx
        .withSchema(CHAT_SCHEMA)
        .table('members')
        .select('session_id', 'user_id')
        .whereIn('session_id', ids);
      const membersOf = new Map<string, string[]>(ids.map((id) => [id, []]));
      for (const row of rows) membersOf.get(row.session_id)?.push(row.user_id);
      await work(membersOf);
      return ids;
    });
    if (page.length < pageSize) break;
    after = page[page.length - 1];
  }
}
