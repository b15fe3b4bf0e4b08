/**
 * The session events that change history (AMQP.md: `message.edited`, `message.deleted`,
 * `reaction.added`, `reaction.removed`): checked like messages, since the persister applies them
 * and the gateway delivers them, and what both see must be the same set.
 */
import { z } from 'zod';
import type { SessionEventType } from '../amqp/topology.ts';
import type { UserRef } from '../contract/http.ts';
import { limits } from '../limits.ts';
import { EnvelopeError } from './errors.ts';
import { canonicalUuid, contentOf, emojiOf } from './field-rules.ts';

/** The event types that change a stored message. */
export const messageChangeEvents = ['message.edited', 'message.deleted', 'reaction.added', 'reaction.removed'] as const;

/** One of {@link messageChangeEvents}. */
export type MessageChangeEvent = (typeof messageChangeEvents)[number];

/** Whether an event type changes a stored message. */
export function isMessageChangeEvent(event: SessionEventType): event is MessageChangeEvent {
  return (messageChangeEvents as readonly string[]).includes(event);
}

interface ChangeBase {
  /**
   * The event's own id (its `message_id` property), a UUIDv7 from chat-api: the order changes of one
   * message (or one user's reaction) are applied in, and what makes applying one twice a no-op.
   */
  readonly id: string;
  readonly sessionId: string;
  /** The message changed. */
  readonly messageId: string;
}

/** A change of a stored message, as the persister applies it. */
export type MessageChange =
  | (ChangeBase & { readonly kind: 'edit'; readonly content: string; readonly at: string })
  | (ChangeBase & { readonly kind: 'delete'; readonly at: string })
  | (ChangeBase & {
      readonly kind: 'reaction';
      readonly emoji: string;
      readonly user: UserRef;
      readonly present: boolean;
    });

const uuid = z.string().transform((value, context) => {
  const id = canonicalUuid(value);
  if (id === null) {
    context.addIssue({ code: 'custom', message: 'not a UUID' });
    return z.NEVER;
  }
  return id;
});
/** An ISO-8601 time in the years a message's times may fall in (`limits.timestampYears`), as `toISOString` writes it. */
const instant = z.iso
  .datetime({ offset: true })
  .transform((value) => new Date(value))
  .refine((date) => {
    const year = date.getUTCFullYear();
    return year >= limits.timestampYears.min && year <= limits.timestampYears.max;
  }, `must fall in the years ${limits.timestampYears.min} to ${limits.timestampYears.max}`)
  .transform((date) => date.toISOString());
const target = { session_id: uuid, message_id: uuid };
/** The body schemas of the change events (`reaction` for both reaction events), before the session and emoji checks. */
export const bodies = {
  'message.edited': z.object({ ...target, content: z.string(), edited_at: instant }),
  'message.deleted': z.object({ ...target, deleted_at: instant }),
  reaction: z.object({
    ...target,
    emoji: z.string(),
    user: z.object({ id: uuid, username: z.string().regex(limits.username.pattern) }),
  }),
};

/**
 * The change an event's body describes.
 *
 * @param id the event's message id (canonical).
 * @param sessionId the session of the exchange it came through; the body's `session_id` must be it.
 * @throws EnvelopeError `invalid_event` when the body is not the event's shape, names another
 * session, or its emoji breaks the rule; the content rules' codes for an edit's content.
 */
export function messageChangeOf(
  event: MessageChangeEvent,
  data: unknown,
  id: string,
  sessionId: string,
): MessageChange {
  const schema = event === 'message.edited' || event === 'message.deleted' ? bodies[event] : bodies.reaction;
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || 'the body';
    throw new EnvelopeError('invalid_event', `${event}: ${where}: ${issue?.message ?? 'invalid'}`);
  }
  const body = parsed.data;
  if (body.session_id !== sessionId) {
    throw new EnvelopeError('invalid_event', `${event}: session_id is not the session of the exchange`);
  }
  const base = { id, sessionId, messageId: body.message_id };
  if ('content' in body) return { ...base, kind: 'edit', content: contentOf(body.content), at: body.edited_at };
  if ('deleted_at' in body) return { ...base, kind: 'delete', at: body.deleted_at };
  return {
    ...base,
    kind: 'reaction',
    emoji: emojiOf(body.emoji),
    user: body.user,
    present: event === 'reaction.added',
  };
}
