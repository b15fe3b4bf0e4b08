import { randomUUID } from 'node:crypto';
import { eventKeys, exchanges, type Publisher } from '@warren/shared/amqp';
import type { LoginEndedEvent } from '@warren/shared/contract';
import type { EndedLogin } from './refresh-token-store.ts';

/** The body of `login.ended` for a login that ended. */
export function loginEndedEventOf(ended: EndedLogin): LoginEndedEvent {
  return { user_id: ended.userId, sid: ended.sid, ended_at: ended.endedAt.toISOString() };
}

/**
 * Publishes `login.ended` on `warren.events` (AMQP.md), persistent, and resolves only once the
 * broker has confirmed it: every chat-api and ws-gateway instance running then has it in its queue.
 * Not `mandatory`: with none of them running, nobody needs to hear it now, since each learns the
 * logins that ended from `GET /auth/ended-logins` when it starts.
 * @throws BROKER_UNAVAILABLE (503) when it was not confirmed.
 */
export async function publishLoginEnded(publisher: Publisher, publisherUser: string, ended: EndedLogin): Promise<void> {
  const body = loginEndedEventOf(ended);
  await publisher.publish(exchanges.events.name, eventKeys.loginEnded, Buffer.from(JSON.stringify(body)), {
    messageId: randomUUID(),
    type: eventKeys.loginEnded,
    userId: publisherUser,
    contentType: 'application/json',
    deliveryMode: 2,
    timestamp: Math.floor(Date.now() / 1000),
    mandatory: false,
  });
}

/**
 * Publishes `login.ended` for each of several logins at once (their confirms come back together).
 * @throws BROKER_UNAVAILABLE (503) when any of them was not confirmed.
 */
export async function publishLoginsEnded(
  publisher: Publisher,
  publisherUser: string,
  ended: readonly EndedLogin[],
): Promise<void> {
  const outcomes = await Promise.allSettled(ended.map((login) => publishLoginEnded(publisher, publisherUser, login)));
  const failed = outcomes.find((outcome) => outcome.status === 'rejected');
  if (failed) throw failed.reason;
}
