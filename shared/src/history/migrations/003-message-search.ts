import type { Migration } from '../../db/migrations.ts';
import { MESSAGE_SEARCH_CONFIG } from '../message-search.ts';

/**
 * Full-text search over messages, and the column deletes will set.
 *
 * - `deleted_at`: null unless the message was deleted (a tombstone); search never matches one.
 * - `unaccent` and the text search configuration {@link MESSAGE_SEARCH_CONFIG}: a copy of `simple`
 *   (no stemming, no stop words, so it treats every language's words alike) whose word tokens go
 *   through `unaccent` before `simple` lower-cases them, so "Café" and "cafe", "ÉCOLE" and "ecole"
 *   are the same lexeme.
 * - A GIN index on `to_tsvector('<schema>.message_search', content)`: naming the configuration makes
 *   the expression immutable, hence indexable, and queries name it the same way to use the index.
 *
 * Every step may run again (a database where part of it exists), and on a fresh database.
 */
export const messageSearchMigration: Migration = {
  name: '003-message-search',
  async up(db, schema) {
    await db.raw('alter table ??.messages add column if not exists deleted_at timestamptz', [schema]);
    await db.raw('create extension if not exists unaccent');
    const config = `${schema}.${MESSAGE_SEARCH_CONFIG}`;
    const { rows } = await db.raw<{ rows: unknown[] }>(
      `select 1 from pg_ts_config c join pg_namespace n on n.oid = c.cfgnamespace
        where n.nspname = ? and c.cfgname = ?`,
      [schema, MESSAGE_SEARCH_CONFIG],
    );
    if (rows.length === 0) {
      await db.raw(`create text search configuration ??.?? (copy = pg_catalog.simple)`, [
        schema,
        MESSAGE_SEARCH_CONFIG,
      ]);
      await db.raw(
        `alter text search configuration ??.?? alter mapping for word, hword, hword_part, asciiword,
           asciihword, hword_asciipart, numword, numhword, hword_numpart with unaccent, pg_catalog.simple`,
        [schema, MESSAGE_SEARCH_CONFIG],
      );
    }
    await db.raw(
      `create index if not exists messages_content_search on ??.messages
         using gin (to_tsvector('${config}'::regconfig, content))`,
      [schema],
    );
  },
  async down(db, schema) {
    await db.raw('drop index if exists ??.messages_content_search', [schema]);
    await db.raw('drop text search configuration if exists ??.??', [schema, MESSAGE_SEARCH_CONFIG]);
    await db.raw('alter table ??.messages drop column if exists deleted_at', [schema]);
  },
};
