/**
 * @packageDocumentation
 * services/chat-api: chat sessions, membership (kept as broker topology), history, and the HTTP
 * way into the chat: messages published to each session's fanout exchange with confirms.
 */
export { CHAT_SCHEMA, migrations } from './migrations/index.ts';
