import type { Knex } from '@warren/shared/db';
import type { Logger } from '@warren/shared/logging';
import type { Transactions } from '../stores/transactions.ts';

/** A database transaction that a broker step may take part in. */
export interface BrokerTransaction {
  /** The database transaction. */
  readonly trx: Knex.Transaction;
  /**
   * Performs a broker step now, inside the transaction: if it throws, the transaction rolls back and
   * the error propagates (BROKER_UNAVAILABLE, 503). `undo` reverses it should the transaction fail
   * after the step succeeded (a later statement or the commit).
   */
  step(perform: () => Promise<void>, undo: () => Promise<void>): Promise<void>;
  /**
   * Runs `effect` once the transaction has committed, and never if it fails: news of the change
   * that others must not hear before it is true. `effect` must not throw.
   */
  afterCommit(effect: () => Promise<void>): void;
}

/**
 * Runs `work` in one database transaction whose broker steps (exchanges, bindings) are performed
 * inside it, so the database and the broker change together: a step that fails rolls the database
 * back, and a transaction that fails after a step undoes the step (best effort, logged). Effects
 * registered with `afterCommit` run in order after the commit, before this resolves.
 */
export async function transactionWithBroker<T>(
  transactions: Transactions,
  logger: Logger,
  work: (tx: BrokerTransaction) => Promise<T>,
): Promise<T> {
  const undos: (() => Promise<void>)[] = [];
  const effects: (() => Promise<void>)[] = [];
  let result: T;
  try {
    result = await transactions.run((trx) =>
      work({
        trx,
        async step(perform, undo) {
          await perform();
          undos.push(undo);
        },
        afterCommit(effect) {
          effects.push(effect);
        },
      }),
    );
  } catch (error) {
    for (const undo of undos.reverse()) {
      await undo().catch((undoError: unknown) =>
        logger.error({ err: undoError }, 'could not undo a broker step after the transaction failed'),
      );
    }
    throw error;
  }
  for (const effect of effects) await effect();
  return result;
}
