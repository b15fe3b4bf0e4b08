/**
 * @packageDocumentation
 * services/persister: stores every session's messages from `warren.persister` in PostgreSQL, in
 * batches, idempotently, acknowledging only after commit.
 */
export { HISTORY_SCHEMA, migrations } from './migrations/index.ts';
