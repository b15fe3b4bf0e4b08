import { contentOf, extraOf, messageTypeOf, replyToOf } from '@warren/shared/envelope';
import { validate } from '@warren/shared/http';
import type { PostedMessage } from '../messages/message-posting.ts';
import { field } from './envelope-field.ts';
import { postMessageBody } from './schemas.ts';

/** The value as JSON would carry it. */
function viaJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

/**
 * The body of `POST /api/sessions/:id/messages`, checked once: its shape, then the envelope's rule
 * of each field, so posting gets values the encoder takes as they are.
 * @throws INVALID_REQUEST (400) naming the field.
 */
export function postedMessageOf(body: unknown): PostedMessage {
  const input = validate(postMessageBody, body);
  const content = field('content', () => contentOf(input.content));
  const type = field('type', () => messageTypeOf(input.type));
  // Checked before the JSON round trip, so nothing recursive sees a value nested too deep; the
  // round trip then makes the object exactly what consumers will parse (no -0, no undefined). It
  // serializes to the same text, so the rule needs no second run.
  const checked = field('extra', () => extraOf(input.extra));
  const extra = checked === null ? null : (viaJson(checked) as NonNullable<typeof checked>);
  const replyTo = field('reply_to', () => replyToOf(input.reply_to));
  return {
    content,
    type,
    extra,
    reply_to: replyTo,
    ...(input.id === undefined ? {} : { id: input.id.toLowerCase() }),
  };
}
