import type { ChatMessage, MessageChange } from '@warren/shared/envelope';
import { type BatchStatementResult, batchParameters, MESSAGE_CTES, MESSAGE_RESULT } from './batch-statement.ts';
import { applyChangesCall, type ChangeStatementResult, changeParameters } from './change-statement.ts';

/** What {@link BATCH_WITH_CHANGES_STATEMENT} answers (its one row's one column, as JSON). */
export interface BatchWithChangesResult {
  readonly messages: BatchStatementResult;
  readonly changes: ChangeStatementResult;
}

/**
 * A batch of messages and the changes that came with them in one statement, so in one round trip
 * and one implicit transaction (one commit): `BATCH_STATEMENT`'s steps, then `apply_message_changes`
 * on the changes. The function's query takes a snapshot of its own, so a change finds a message the
 * same statement inserted; it is called once the insert has run, because the row it is computed for
 * comes from `stored_first`, which reads the insert's every row (a scan produces its row before the
 * select list is computed).
 *
 * Parameters: `$1` and `$2` as `BATCH_STATEMENT`'s, `$3` as `CHANGE_STATEMENT`'s `$1`.
 */
export const BATCH_WITH_CHANGES_STATEMENT = `
with ${MESSAGE_CTES}
select json_build_object('messages', ${MESSAGE_RESULT}, 'changes', ${applyChangesCall('$3')}) as result
  from (select count(*) from inserted) as stored_first`;

/** The parameters of {@link BATCH_WITH_CHANGES_STATEMENT}. */
export function batchWithChangesParameters(
  messages: readonly ChatMessage[],
  changes: readonly MessageChange[],
): [string, string[], string] {
  return [...batchParameters(messages), ...changeParameters(changes)];
}
