import { limits } from '../limits.ts';
import { EnvelopeError } from './envelope-error.ts';

/** The message `type` tag when a body gives none. */
export const DEFAULT_MESSAGE_TYPE = 'text';

/**
 * The `type` tag of a message: the given one when it matches `limits.messageType` (1 to 32 of
 * `a-z 0-9 . _ -`), `text` when absent.
 *
 * @throws EnvelopeError `invalid_type` for any other value.
 */
export function messageTypeOf(type: unknown): string {
  if (type === undefined) return DEFAULT_MESSAGE_TYPE;
  if (typeof type !== 'string' || !limits.messageType.test(type)) {
    throw new EnvelopeError('invalid_type', 'type must be 1 to 32 of a-z 0-9 . _ -');
  }
  return type;
}
