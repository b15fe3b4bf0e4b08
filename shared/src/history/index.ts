/**
 * @packageDocumentation
 * The `history` schema as its writer (the persister) and its reader (chat-api) share it: its name,
 * migrations, row types and the mappings between a stored row and a `Message`.
 */
export { HISTORY_SCHEMA } from './history-schema.ts';
export {
  type AuthorKind,
  MESSAGE_COLUMNS,
  type MessageDetails,
  type MessageRow,
  messageOf,
  messageRowOf,
  type NewMessageRow,
  NO_DETAILS,
} from './message-row.ts';
export { MESSAGE_SEARCH_CONFIG, MESSAGE_SEARCH_REGCONFIG, MESSAGE_SEARCH_VECTOR } from './message-search.ts';
export { historyMigrations } from './migrations/index.ts';
export { deleteSessionHistory, type SessionActivityRow } from './session-activity.ts';
