/**
 * @packageDocumentation
 * services/chat-api: chat sessions, membership (kept as broker topology), history, and the HTTP
 * way into the chat: messages published to each session's fanout exchange with confirms.
 */
export {
  type ChatApiService,
  type ChatApiServiceEvents,
  type ChatApiServiceOptions,
  startChatApiService,
} from './chat-api-service.ts';
export { type ChatApiConfig, configShape, loadConfig } from './config.ts';
export { ChatApiErrors } from './errors.ts';
export { CHAT_SCHEMA, migrations } from './stores/migrations/index.ts';
