import type { Knex } from '@warren/shared/db';
import type { TestWarren } from '../../../test/support/warren.ts';

/**
 * Resolves once `holds` says history shows what the test waits for (an edit, a delete, a
 * reaction): asked now and after each batch the persister logs having committed, so the wait ends
 * on the event, never on a timer.
 */
export async function untilHistory(warren: TestWarren, holds: (db: Knex) => Promise<boolean>): Promise<void> {
  for (;;) {
    const abort = new AbortController();
    // Listening before looking, so a batch that commits in between is not missed.
    const next = warren.persister
      .nextLog((line) => line.msg === 'batch stored', { signal: abort.signal })
      .catch(() => undefined);
    if (await holds(warren.db)) {
      abort.abort();
      return;
    }
    await next;
  }
}
