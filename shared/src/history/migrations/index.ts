import type { Migration } from '../../db/migrations.ts';
import { messagesMigration } from './001-messages.ts';
import { sessionActivityMigration } from './002-session-activity.ts';
import { messageSearchMigration } from './003-message-search.ts';
import { messageChangesMigration } from './004-message-changes.ts';
import { applyMessageChangesMigration } from './005-apply-message-changes.ts';

/** The migrations of the `history` schema, in order; the persister runs them, and so does chat-api, which reads it. */
export const historyMigrations: readonly Migration[] = [
  messagesMigration,
  sessionActivityMigration,
  messageSearchMigration,
  messageChangesMigration,
  applyMessageChangesMigration,
];
