/**
 * The PostgreSQL schema each service owns. Named here, like the AMQP names, because services read
 * each other's tables (chat-api reads `history`, the persister reads which sessions exist in
 * `chat.sessions`) and must not import each other to spell a name.
 */
export const databaseSchemas = {
  /** services/auth: users, credentials, refresh tokens. */
  auth: 'auth',
  /** services/chat-api: its copy of users, sessions, members and read markers. */
  chat: 'chat',
  /** services/persister: stored messages and what they did to each session (see `HISTORY_SCHEMA`). */
  history: 'history',
} as const;
