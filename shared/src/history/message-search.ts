import { HISTORY_SCHEMA } from './history-schema.ts';

/**
 * The name of the text search configuration messages are searched with, in the history schema: a
 * copy of `simple` with `unaccent` first (case- and accent-insensitive, no stemming, any language).
 */
export const MESSAGE_SEARCH_CONFIG = 'message_search';

/**
 * `to_tsvector(<config>, content)` exactly as the GIN index of migration 003 is built on it: a query
 * must use this very expression for the planner to use the index.
 */
export const MESSAGE_SEARCH_VECTOR = `to_tsvector('${HISTORY_SCHEMA}.${MESSAGE_SEARCH_CONFIG}'::regconfig, content)`;

/** The same configuration, as a literal `websearch_to_tsquery` takes. */
export const MESSAGE_SEARCH_REGCONFIG = `'${HISTORY_SCHEMA}.${MESSAGE_SEARCH_CONFIG}'::regconfig`;
