import type { Knex } from 'knex';

/**
 * A store whose queries go to one table of one schema: on the pool, or inside a transaction the
 * caller passes, so a store's writes can share a transaction with another's.
 */
export class TableStore<Row extends {}> {
  /** The pool. */
  protected readonly db: Knex;
  readonly #schema: string;
  readonly #table: string;

  constructor(db: Knex, schema: string, table: string) {
    this.db = db;
    this.#schema = schema;
    this.#table = table;
  }

  /** A query on the table, run by `db` (the pool unless given a transaction). */
  protected table(db: Knex | Knex.Transaction = this.db) {
    return db.withSchema(this.#schema).table<Row>(this.#table);
  }
}
