import { eventKeys } from '@warren/shared/amqp';
import type { PresenceReport } from '@warren/shared/contract';
import { validate as isUuid } from 'uuid';
import { z } from 'zod';
import type { PresenceTracker } from '../presence/presence-tracker.ts';
import type { DenyList } from '../tokens/deny-list.ts';
import type { FeedRoute } from './instance-feed.ts';
import type { MembershipChanges } from './membership-changes.ts';

const uuid = z
  .string()
  .refine(isUuid, 'must be a UUID')
  .transform((id) => id.toLowerCase());
const isoTime = z.string().datetime({ offset: true });
/** The most users one report may name: a gateway holds far fewer sockets than that. */
const MAX_REPORTED_USERS = 1_000_000;
/** A heartbeat period beyond any sane setting; with it, a gateway would be believed alive too long. */
const MAX_HEARTBEAT_MS = 600_000;

const PRESENCE_PREFIX = eventKeys.presence('');

/** `membership.changed` (docs/amqp.md), believed only from chat-api's own AMQP user. */
export function membershipChangedRoute(
  changes: MembershipChanges,
  chatApiUser: string,
): FeedRoute<{ session_id: string; user_ids: string[] }> {
  const schema = z.object({ session_id: uuid, user_ids: z.array(uuid) });
  return {
    event: eventKeys.membershipChanged,
    matches: (key) => key === eventKeys.membershipChanged,
    trustedUser: chatApiUser,
    schema: () => schema,
    apply: (data) => changes.apply(data.session_id, data.user_ids),
  };
}

/** `login.ended` (AMQP.md), believed only from auth's AMQP user: its `sid` goes on the deny list. */
export function loginEndedRoute(
  denyList: DenyList,
  authUser: string,
): FeedRoute<{ user_id: string; sid: string; ended_at: string }> {
  const schema = z.object({ user_id: z.string().min(1), sid: z.string().min(1).max(200), ended_at: isoTime });
  return {
    event: eventKeys.loginEnded,
    matches: (key) => key === eventKeys.loginEnded,
    trustedUser: authUser,
    schema: () => schema,
    apply: (data) => denyList.add({ sid: data.sid, endedAt: new Date(data.ended_at) }),
  };
}

/**
 * `presence.<instance>` (docs/ws-gateway.md), believed only from the ws-gateway's AMQP user; the
 * body's `instance` must be the one its routing key names.
 */
export function presenceRoute(tracker: PresenceTracker, gatewayUser: string): FeedRoute<PresenceReport> {
  const users = z.array(uuid).max(MAX_REPORTED_USERS);
  const base = z.object({
    kind: z.enum(['changes', 'heartbeat', 'goodbye']),
    online: users,
    offline: users,
    at: isoTime,
    heartbeat_ms: z.number().int().min(1).max(MAX_HEARTBEAT_MS),
  });
  return {
    event: eventKeys.presenceAll,
    matches: (key) => key.startsWith(PRESENCE_PREFIX) && key.length > PRESENCE_PREFIX.length,
    trustedUser: gatewayUser,
    schema: (key) => base.extend({ instance: z.literal(key.slice(PRESENCE_PREFIX.length)) }),
    apply: (report) => tracker.report(report),
  };
}
