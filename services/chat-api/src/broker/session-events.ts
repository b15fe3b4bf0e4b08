import type { Publisher, SessionEventType } from '@warren/shared/amqp';
import type { SessionEventPayloads } from '@warren/shared/contract';
import { encodeSessionEvent, newMessageId } from '@warren/shared/envelope';
import type { Logger } from '@warren/shared/logging';
import { Counter, type Registry } from 'prom-client';
import type { Caller } from '../sessions/caller.ts';
import type { Visibility } from '../stores/session-store.ts';

/** Options of {@link SessionEvents}. */
export interface SessionEventsOptions {
  publisher: Publisher;
  /** The AMQP user chat-api publishes as (`user_id`): consumers believe events only from it. */
  publisherUser: string;
  logger: Logger;
  registry: Registry;
  /** The `expiration` of `typing` events, in milliseconds. */
  typingExpirationMs: number;
}

/**
 * Publishes the session events of AMQP.md on a session's exchange, with confirms. They describe a
 * state already committed to PostgreSQL and are live-only, so a publish that fails is logged and
 * counted (`warren_chat_api_event_failures_total{event}`) and the request that caused it still
 * succeeds: clients catch up by reading the session again. No method throws. Each takes, last, the
 * id of the HTTP request it publishes for, if any, carried in the event's headers for the logs downstream.
 */
export class SessionEvents {
  readonly #options: SessionEventsOptions;
  readonly #log: Logger;
  readonly #failures: Counter<'event'>;

  constructor(options: SessionEventsOptions) {
    this.#options = options;
    this.#log = options.logger.child({ module: 'session-events' });
    this.#failures = new Counter({
      name: 'warren_chat_api_event_failures_total',
      help: 'Session events the broker did not confirm, by event type',
      labelNames: ['event'],
      registers: [options.registry],
    });
  }

  /** `member.joined`. */
  memberJoined(sessionId: string, user: Caller, version: number, requestId?: string): Promise<boolean> {
    return this.#publish(
      sessionId,
      'member.joined',
      { session_id: sessionId, user: { id: user.id, username: user.username }, version },
      { requestId },
    );
  }

  /** `member.left`: left or removed. */
  memberLeft(sessionId: string, userId: string, version: number, requestId?: string): Promise<boolean> {
    return this.#publish(sessionId, 'member.left', { session_id: sessionId, user_id: userId, version }, { requestId });
  }

  /** `session.updated`: renamed or made public or private. */
  sessionUpdated(
    sessionId: string,
    name: string | null,
    visibility: Visibility,
    version: number,
    requestId?: string,
  ): Promise<boolean> {
    const data = { session_id: sessionId, name, visibility, version };
    return this.#publish(sessionId, 'session.updated', data, { requestId });
  }

  /** `session.deleted`: published before the exchange is deleted, so members hear it. */
  sessionDeleted(sessionId: string, requestId?: string): Promise<boolean> {
    return this.#publish(sessionId, 'session.deleted', { session_id: sessionId }, { requestId });
  }

  /** `read`: a member's read marker moved forward. */
  read(sessionId: string, userId: string, messageId: string, requestId?: string): Promise<boolean> {
    const data = { session_id: sessionId, user_id: userId, message_id: messageId };
    return this.#publish(sessionId, 'read', data, { requestId });
  }

  /** `typing`, with a short expiration: stale typing is worth nothing. */
  typing(sessionId: string, user: Caller, requestId?: string): Promise<boolean> {
    return this.#publish(
      sessionId,
      'typing',
      { session_id: sessionId, user: { id: user.id, username: user.username } },
      { requestId, expirationMs: this.#options.typingExpirationMs },
    );
  }

  /** `presence`: a member came online or went offline (reported by a gateway, for no HTTP request). */
  presence(sessionId: string, userId: string, online: boolean, lastSeenAt: Date | null): Promise<boolean> {
    return this.#publish(sessionId, 'presence', {
      session_id: sessionId,
      user_id: userId,
      online,
      last_seen_at: lastSeenAt?.toISOString() ?? null,
    });
  }

  /**
   * @returns whether the broker confirmed the event. Indexing the contract by the topology's event
   * types makes an event added to one and not the other a type error.
   */
  async #publish<E extends SessionEventType>(
    sessionId: string,
    event: E,
    data: SessionEventPayloads[E],
    { requestId, expirationMs }: { requestId?: string | undefined; expirationMs?: number } = {},
  ): Promise<boolean> {
    const { publisher, publisherUser } = this.#options;
    try {
      const outgoing = encodeSessionEvent({
        sessionId,
        event,
        data,
        publisher: publisherUser,
        messageId: newMessageId(),
        requestId,
        ...(expirationMs === undefined ? {} : { expirationMs }),
      });
      await publisher.publish(outgoing.exchange, outgoing.routingKey, outgoing.content, { ...outgoing.options });
      return true;
    } catch (error) {
      this.#failures.inc({ event });
      this.#log.warn({ err: error, sessionId, event, requestId }, 'session event not published');
      return false;
    }
  }
}
