/**
 * @packageDocumentation
 * services/persister: stores every session's messages from `warren.persister` in PostgreSQL, in
 * batches, idempotently, acknowledging only after commit.
 */
export { configShape, loadConfig, type PersisterConfig } from './config.ts';
export type {
  BatchStored,
  DeadLetterCode,
  DeadLettered,
  EventAcked,
  Persister,
  PersisterEvents,
} from './persister.ts';
export { type PersisterService, startPersisterService } from './persister-service.ts';
