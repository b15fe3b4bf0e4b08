// The shapes of HTTP.md and WEBSOCKET.md, declared once in shared's contract module (types only,
// so the bundle gains no code from it).
export type {
  Author,
  EventFrame,
  Member,
  Message,
  MessagePage,
  Reaction,
  ReactionEventData,
  SearchHit,
  ServerFrame,
  Session,
  SessionDetail,
  SessionEvent,
  ThreadPage,
  TokenPair,
  User,
} from '@warren/shared/contract';
