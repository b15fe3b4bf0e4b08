import { contentOf, EnvelopeError, extraOf, messageTypeOf } from '@warren/shared/envelope';
import { SharedErrors } from '@warren/shared/errors';
import { validate } from '@warren/shared/http';
import type { PostedMessage } from '../messages/message-posting.ts';
import { postMessageBody } from './schemas.ts';

/** Applies one envelope rule, turning its refusal into a 400 naming the field: the only place that does. */
function field<T>(name: string, rule: () => T): T {
  try {
    return rule();
  } catch (error) {
    if (!(error instanceof EnvelopeError)) throw error;
    throw new SharedErrors.invalidRequest(`the request body is invalid: ${error.detail}`, {
      errors: [{ field: name, message: error.detail }],
    });
  }
}

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
  return { content, type, extra, ...(input.id === undefined ? {} : { id: input.id.toLowerCase() }) };
}
