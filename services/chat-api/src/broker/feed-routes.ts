import { eventKeys } from '@warren/shared/amqp';
import type { LoginEndedEvent, PresenceReport } from '@warren/shared/contract';
import {
  loginEndedSchema,
  type MembershipChangedEvent,
  membershipChangedSchema,
  presenceReportSchema,
} from '@warren/shared/contract-schemas';
import { z } from 'zod';
import type { PresenceTracker } from '../presence/presence-tracker.ts';
import type { DenyList } from '../tokens/deny-list.ts';
import type { FeedRoute } from './instance-feed.ts';
import type { MembershipChanges } from './membership-changes.ts';

const PRESENCE_PREFIX = eventKeys.presence('');

/** Ids as Warren keys them: the schemas accept a UUID in any case. */
const lower = (id: string): string => id.toLowerCase();

/** `membership.changed` (docs/amqp.md), believed only from chat-api's own AMQP user. */
export function membershipChangedRoute(
  changes: MembershipChanges,
  chatApiUser: string,
): FeedRoute<MembershipChangedEvent> {
  return {
    event: eventKeys.membershipChanged,
    matches: (key) => key === eventKeys.membershipChanged,
    trustedUser: chatApiUser,
    schema: () => membershipChangedSchema,
    apply: (data) => changes.apply(lower(data.session_id), data.user_ids.map(lower)),
  };
}

/** `login.ended` (AMQP.md), believed only from auth's AMQP user: its `sid` goes on the deny list. */
export function loginEndedRoute(denyList: DenyList, authUser: string): FeedRoute<LoginEndedEvent> {
  return {
    event: eventKeys.loginEnded,
    matches: (key) => key === eventKeys.loginEnded,
    trustedUser: authUser,
    schema: () => loginEndedSchema,
    apply: (data) => denyList.add({ sid: data.sid, endedAt: new Date(data.ended_at) }),
  };
}

/**
 * `presence.<instance>` (docs/ws-gateway.md), believed only from the ws-gateway's AMQP user; the
 * body's `instance` must be the one its routing key names.
 */
export function presenceRoute(tracker: PresenceTracker, gatewayUser: string): FeedRoute<PresenceReport> {
  return {
    event: eventKeys.presenceAll,
    matches: (key) => key.startsWith(PRESENCE_PREFIX) && key.length > PRESENCE_PREFIX.length,
    trustedUser: gatewayUser,
    schema: (key) => presenceReportSchema.extend({ instance: z.literal(key.slice(PRESENCE_PREFIX.length)) }),
    apply: (report) =>
      tracker.report({ ...report, online: report.online.map(lower), offline: report.offline.map(lower) }),
  };
}
