/**
 * The PostgreSQL schema each service owns. Named here, like the AMQP names, because services read
 * each other's tables (chat-api reads `history.messages`, the persister updates `chat.sessions`)
 * and must not import each other to spell a name.
 */
export const databaseSchemas = {
  /** services/auth: users, credentials, refresh tokens. */
  auth: 'auth',
  /** services/chat-api: its copy of users, sessions, members and read markers. */
  chat: 'chat',
  /** services/persister: stored messages. */
  history: 'history',
} as const;
