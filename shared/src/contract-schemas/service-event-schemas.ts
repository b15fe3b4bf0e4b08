/**
 * zod schemas of the service events on `warren.events` (AMQP.md, docs/amqp.md), checked at compile
 * time against their contract types where there is one. The bounds are those the consumers
 * (chat-api's instance feed, the ws-gateway) parse them with.
 */
import { z } from 'zod';
import type { User } from '../contract/http.ts';
import type { LoginEndedEvent, PresenceReport } from '../contract/service-events.ts';
import { idSchema, instantSchema, userSchema } from './http-schemas.ts';
import { exactly } from './same-type.ts';

/** `user.registered`: auth has a new user. */
export const userRegisteredSchema = exactly<{ readonly user: User }>()(z.object({ user: userSchema }));

/** `membership.changed`: these users' membership of the session ended (they left, or it was deleted). */
export const membershipChangedSchema = z.object({ session_id: idSchema, user_ids: z.array(idSchema) });

/** The body of `membership.changed`. */
export type MembershipChangedEvent = z.output<typeof membershipChangedSchema>;

/** `login.ended`: a login ended; access tokens with its `sid` are refused from then on. */
export const loginEndedSchema = exactly<LoginEndedEvent>()(
  z.object({
    user_id: z.string().min(1),
    sid: z.string().min(1).max(200).describe("The `sid` claim of the login's access tokens."),
    ended_at: instantSchema,
  }),
);

/** The most users one presence report may name (chat-api's bound). */
const MAX_REPORTED_USERS = 1_000_000;
/** The longest heartbeat period chat-api believes, in milliseconds. */
const MAX_HEARTBEAT_MS = 600_000;

/** `presence.<instance>`: what one ws-gateway instance reports of the users it holds sockets for. */
export const presenceReportSchema = exactly<PresenceReport>()(
  z.object({
    instance: idSchema.describe('The reporting ws-gateway instance: the one its routing key names.'),
    kind: z
      .enum(['changes', 'heartbeat', 'goodbye'])
      .describe(
        'changes: users whose first socket opened or last one closed since the previous report; ' +
          'heartbeat: every user it holds a socket for now; goodbye: it is shutting down.',
      ),
    online: z.array(idSchema).max(MAX_REPORTED_USERS),
    offline: z.array(idSchema).max(MAX_REPORTED_USERS),
    at: instantSchema,
    heartbeat_ms: z.number().int().min(1).max(MAX_HEARTBEAT_MS),
  }),
);
