import { databaseSchemas } from '../db/schemas.ts';

/**
 * The PostgreSQL schema of stored messages. The persister owns and writes it; chat-api reads it,
 * and erases a session's part of it when it deletes the session.
 */
export const HISTORY_SCHEMA = databaseSchemas.history;
