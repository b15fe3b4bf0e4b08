import type { Knex } from '@warren/shared/db';

/** Database transactions, for use cases that change several stores at once without holding the pool. */
export class Transactions {
  readonly #db: Knex;

  constructor(db: Knex) {
    this.#db = db;
  }

  /** Runs `work` in one transaction: committed when it resolves, rolled back when it rejects. */
  run<T>(work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
    return this.#db.transaction((trx) => work(trx));
  }
}
