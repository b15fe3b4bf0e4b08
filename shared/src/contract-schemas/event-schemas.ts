/**
 * zod schemas of the session events' bodies (AMQP.md "Events on a session exchange"), by event
 * type, each checked at compile time against `SessionEventPayloads`. The events that change history
 * use the envelope's own schemas, the ones the persister and the gateway check them with.
 */
import { z } from 'zod';
import type { SessionEventName, SessionEventPayloads } from '../contract/events.ts';
import { bodies as messageChangeBodies } from '../envelope/message-change.ts';
import { idSchema, instantSchema, userRefSchema } from './http-schemas.ts';
import { exactly } from './same-type.ts';

const visibility = z.enum(['private', 'public']);
const version = z.number().int().min(1).describe("The session's version after the change.");

/** The body of each session event, by its `type` property; `event` frames carry the same as `data`. */
export const sessionEventSchemas = {
  'member.joined': exactly<SessionEventPayloads['member.joined']>()(
    z.object({ session_id: idSchema, user: userRefSchema, version }),
  ),
  'member.left': exactly<SessionEventPayloads['member.left']>()(
    z.object({ session_id: idSchema, user_id: idSchema, version }),
  ),
  'session.updated': exactly<SessionEventPayloads['session.updated']>()(
    z.object({ session_id: idSchema, name: z.string().nullable(), visibility, version }),
  ),
  'session.deleted': exactly<SessionEventPayloads['session.deleted']>()(z.object({ session_id: idSchema })),
  read: exactly<SessionEventPayloads['read']>()(
    z.object({ session_id: idSchema, user_id: idSchema, message_id: idSchema }),
  ),
  typing: exactly<SessionEventPayloads['typing']>()(z.object({ session_id: idSchema, user: userRefSchema })),
  'message.edited': exactly<SessionEventPayloads['message.edited']>()(messageChangeBodies['message.edited']),
  'message.deleted': exactly<SessionEventPayloads['message.deleted']>()(messageChangeBodies['message.deleted']),
  'reaction.added': exactly<SessionEventPayloads['reaction.added']>()(messageChangeBodies.reaction),
  'reaction.removed': exactly<SessionEventPayloads['reaction.removed']>()(messageChangeBodies.reaction),
  presence: exactly<SessionEventPayloads['presence']>()(
    z.object({
      session_id: idSchema,
      user_id: idSchema,
      online: z.boolean(),
      last_seen_at: instantSchema
        .nullable()
        .describe('When their last socket closed; null while online or never seen.'),
    }),
  ),
} as const satisfies { readonly [E in SessionEventName]: z.ZodType };
