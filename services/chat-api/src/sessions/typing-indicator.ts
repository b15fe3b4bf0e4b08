import type { SessionEvents } from '../broker/session-events.ts';
import type { Caller } from './caller.ts';
import type { TypingThrottle } from './typing-throttle.ts';

/**
 * Says the caller is typing in the session: published at most once per interval, the rest accepted.
 * `requestId`: the HTTP request's id, carried in the event's headers for the logs downstream.
 */
export type TypingIndicator = (caller: Caller, sessionId: string, requestId?: string) => Promise<void>;

/** The typing indicator of a throttle and the events it publishes through. */
export function typingIndicator(throttle: TypingThrottle, events: SessionEvents): TypingIndicator {
  return async (caller, sessionId, requestId) => {
    if (throttle.admit(caller.id, sessionId)) await events.typing(sessionId, caller, requestId);
  };
}
