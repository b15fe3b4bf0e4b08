import { databaseSchemas, type Migration } from '@warren/shared/db';
import { chatMigration } from './001-chat.ts';
import { presenceMigration } from './002-presence.ts';

/** The PostgreSQL schema chat-api owns: users (its copy), sessions, members, presence. */
export const CHAT_SCHEMA = databaseSchemas.chat;

/** chat-api's migrations, in order. */
export const migrations: readonly Migration[] = [chatMigration, presenceMigration];
