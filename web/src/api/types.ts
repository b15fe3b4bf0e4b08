// The shapes of HTTP.md and WEBSOCKET.md, declared once in shared's contract module (types only,
// so the bundle gains no code from it).
export type {
  Author,
  Member,
  Message,
  MessagePage,
  SearchHit,
  ServerFrame,
  Session,
  SessionDetail,
  SessionEvent,
  TokenPair,
  User,
} from '@warren/shared/contract';
