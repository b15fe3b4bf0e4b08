import type { Knex } from '@warren/shared/db';
import type { MessageChange } from '@warren/shared/envelope';
import { CHANGE_STATEMENT, type ChangeStatementResult, changeParameters } from './change-statement.ts';
import { runNamedStatement } from './named-statement.ts';
import { isRejectedData } from './rejected-data.ts';

/** The name {@link CHANGE_STATEMENT} is prepared under, on each connection. */
const STATEMENT_NAME = 'warren-persister-apply-changes';

/** What became of one change of a batch. */
export type ChangeOutcome =
  /** Applied, or superseded by a newer change of the same thing, or applied before (a redelivery): nothing more to do. */
  | 'done'
  /** Its message is not stored in its session: to be dead-lettered. */
  | 'unknown_message'
  /** A new emoji on a message that has the most distinct emoji allowed: to be dead-lettered. */
  | 'too_many_reactions'
  /** PostgreSQL refused its values (see `isRejectedData`): nothing applied, to be dead-lettered. */
  | 'rejected';

/** What one committed change transaction did. */
export interface ChangesOutcome {
  /** One outcome per change given, in the same order. */
  readonly outcomes: readonly ChangeOutcome[];
  /** Rows the transaction wrote (see `ChangeStatementResult.written`). */
  readonly written: number;
}

/**
 * Applies edits, deletes and reactions to history in one transaction per batch (see
 * {@link CHANGE_STATEMENT}): idempotent and order-independent, so a batch can be retried whole and
 * redeliveries in any order leave history as publish order does. A batch PostgreSQL refuses a value
 * of is applied again one change at a time, and only the refused ones are left out (`rejected`):
 * no change can block the others.
 */
export class ChangeStore {
  readonly #db: Knex;

  constructor(db: Knex) {
    this.#db = db;
  }

  /**
   * Applies a batch of changes.
   * @throws whatever PostgreSQL or the driver throws when the transaction cannot commit (nothing is
   * applied then, so the batch can be retried).
   */
  async apply(changes: readonly MessageChange[]): Promise<ChangesOutcome> {
    if (changes.length === 0) return { outcomes: [], written: 0 };
    try {
      return await this.#applyAll(changes);
    } catch (error) {
      if (!isRejectedData(error)) throw error;
    }
    // A value PostgreSQL refuses (the envelope lets none through that it knows of): one by one,
    // so only the refused change is left out. Applying commutes, so the order of statements is free.
    const outcomes: ChangeOutcome[] = [];
    let written = 0;
    for (const change of changes) {
      try {
        const one = await this.#applyAll([change]);
        outcomes.push(...one.outcomes);
        written += one.written;
      } catch (error) {
        if (!isRejectedData(error)) throw error;
        outcomes.push('rejected');
      }
    }
    return { outcomes, written };
  }

  async #applyAll(changes: readonly MessageChange[]): Promise<ChangesOutcome> {
    const values = changeParameters(changes);
    return changesOutcomeOf(
      changes,
      await runNamedStatement<ChangeStatementResult>(this.#db, STATEMENT_NAME, CHANGE_STATEMENT, values),
    );
  }
}

/** The outcome of each change of a batch a statement applying them answered `result` for. */
export function changesOutcomeOf(changes: readonly MessageChange[], result: ChangeStatementResult): ChangesOutcome {
  const unknown = new Set(result.unknown);
  const overLimit = new Set(result.over_limit);
  const outcomes = changes.map((change): ChangeOutcome => {
    if (unknown.has(change.id)) return 'unknown_message';
    return overLimit.has(change.id) ? 'too_many_reactions' : 'done';
  });
  return { outcomes, written: result.written };
}
