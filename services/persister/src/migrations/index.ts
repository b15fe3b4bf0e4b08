import { databaseSchemas, type Migration } from '@warren/shared';
import { messagesMigration } from './001-messages.ts';

/** The PostgreSQL schema the persister owns: stored messages. */
export const HISTORY_SCHEMA = databaseSchemas.history;

/** The persister's migrations, in order. */
export const migrations: readonly Migration[] = [messagesMigration];
