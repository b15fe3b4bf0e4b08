/**
 * @packageDocumentation
 * zod schemas of the wire shapes whose contract exists only as TypeScript types (`../contract`),
 * each checked at compile time to be exactly that type. The AsyncAPI document is generated from
 * them, and the consumers of the service events (chat-api's instance feed, the ws-gateway's
 * `login.ended` listener) parse with them, so what the document says is what they accept.
 */
export { sessionEventSchemas } from './event-schemas.ts';
export {
  authFrameSchema,
  errorFrameSchema,
  eventFrameSchema,
  frameErrorCodeSchema,
  messageFrameSchema,
  pingFrameSchema,
  pongFrameSchema,
  readyFrameSchema,
} from './frame-schemas.ts';
export {
  authorSchema,
  idSchema,
  instantSchema,
  messageSchema,
  reactionSchema,
  userRefSchema,
  userSchema,
} from './http-schemas.ts';
export { type DeepReadonly, exactly, type Same } from './same-type.ts';
export {
  loginEndedSchema,
  type MembershipChangedEvent,
  membershipChangedSchema,
  presenceReportSchema,
  userRegisteredSchema,
} from './service-event-schemas.ts';
