import type { MessageChange } from '@warren/shared/envelope';
import { HISTORY_SCHEMA } from '@warren/shared/history';

/** What {@link CHANGE_STATEMENT} answers (its one row's one column, as JSON). */
export interface ChangeStatementResult {
  /** Ids of the changes whose message is not stored in their session: nothing applied. */
  readonly unknown: readonly string[];
  /** Ids of reactions that would give their message more distinct emoji than the limit: not applied. */
  readonly over_limit: readonly string[];
  /** Messages deleted, edited and reactions written by this statement (superseded and repeated changes write nothing). */
  readonly written: number;
}

/**
 * A batch of message changes in one statement (one round trip, one implicit transaction), through
 * the history schema's `apply_message_changes` (its migration says how it applies them: exactly
 * once, in the order of the changes' ids, whatever order and however often they arrive).
 *
 * Parameter: `$1` the changes as a JSON array of {@link ChangeRow}.
 */
export const CHANGE_STATEMENT = `select ${applyChangesCall('$1')} as result`;

/** The SQL expression that applies the changes given as the JSON array `parameter`: a {@link ChangeStatementResult}. */
export function applyChangesCall(parameter: string): string {
  return `${HISTORY_SCHEMA}.apply_message_changes(${parameter}::json)`;
}

/** One change as {@link CHANGE_STATEMENT} reads it. */
interface ChangeRow {
  id: string;
  kind: MessageChange['kind'];
  session_id: string;
  message_id: string;
  content: string | null;
  at: string | null;
  emoji: string | null;
  user_id: string | null;
  username: string | null;
  present: boolean | null;
}

function changeRowOf(change: MessageChange): ChangeRow {
  return {
    id: change.id,
    kind: change.kind,
    session_id: change.sessionId,
    message_id: change.messageId,
    content: change.kind === 'edit' ? change.content : null,
    at: change.kind === 'reaction' ? null : change.at,
    emoji: change.kind === 'reaction' ? change.emoji : null,
    user_id: change.kind === 'reaction' ? change.user.id : null,
    username: change.kind === 'reaction' ? change.user.username : null,
    present: change.kind === 'reaction' ? change.present : null,
  };
}

/** The parameters of {@link CHANGE_STATEMENT} for a batch of changes. */
export function changeParameters(changes: readonly MessageChange[]): [string] {
  return [JSON.stringify(changes.map(changeRowOf))];
}
