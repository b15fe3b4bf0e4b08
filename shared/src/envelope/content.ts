import { limits } from '../limits.ts';
import { EnvelopeError } from './envelope-error.ts';
import { isStorableText } from './storable-text.ts';

/** Length in Unicode code points, so an emoji counts as one character, as people count. */
function codePointLength(text: string): number {
  let length = 0;
  for (const _ of text) length++;
  return length;
}

/**
 * The stored content of a message: the text trimmed (`String.prototype.trim`: Unicode white space
 * and line terminators at both ends), which must then hold 1 to 4000 characters (`limits.content`),
 * counted as code points.
 *
 * @throws EnvelopeError `content_empty`, `content_too_long`, or `invalid_characters` (U+0000 or a
 * lone surrogate, which PostgreSQL cannot store).
 */
export function contentOf(text: string): string {
  const content = text.trim();
  const length = codePointLength(content);
  if (length < limits.content.min) throw new EnvelopeError('content_empty', 'content is empty after trimming');
  if (length > limits.content.max) {
    throw new EnvelopeError('content_too_long', `content is ${length} characters, more than ${limits.content.max}`);
  }
  if (!isStorableText(content)) {
    throw new EnvelopeError('invalid_characters', 'content holds U+0000 or a lone surrogate');
  }
  return content;
}
