/**
 * @packageDocumentation
 * zod schemas of the wire shapes whose contract exists only as TypeScript types (`../contract`),
 * each checked at compile time to be exactly that type. The AsyncAPI document is generated from
 * them; nothing at run time parses with them yet.
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
