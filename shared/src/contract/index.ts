/**
 * @packageDocumentation
 * `@warren/shared/contract`: the wire shapes of HTTP.md, AMQP.md and WEBSOCKET.md, declared once
 * for the services and the web client. Types only, so a browser bundle that imports it (with
 * `import type`) gains no code.
 */
export type { ReactionEventData, SessionEvent, SessionEventName, SessionEventPayloads } from './events.ts';
export type {
  AuthFrame,
  ClientFrame,
  ErrorFrame,
  EventFrame,
  FrameErrorCode,
  MessageFrame,
  PingFrame,
  PongFrame,
  ReadyFrame,
  ServerFrame,
} from './frames.ts';
export type {
  Author,
  BotAuthor,
  Member,
  Message,
  MessagePage,
  Presence,
  Reaction,
  SearchHit,
  Session,
  SessionDetail,
  SessionKind,
  ThreadPage,
  TokenPair,
  User,
  UserAuthor,
  UserRef,
  Visibility,
} from './http.ts';
export type { LoginEndedEvent, PresenceReport } from './service-events.ts';
