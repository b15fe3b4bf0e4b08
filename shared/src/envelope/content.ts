import { limits } from '../limits.ts';
import { EnvelopeError } from './envelope-error.ts';
import { isStorableText } from './storable-text.ts';

/**
 * A character that draws something. Everything else is invisible:
 * - `White_Space` (spaces of every width, line and paragraph separators);
 * - `Cc` control characters and `Cf` format characters (U+200B zero width space, U+200C/U+200D
 *   joiners, U+2060 word joiner, U+FEFF, U+00AD soft hyphen, bidirectional marks, tag characters);
 * - `Default_Ignorable_Code_Point`, which Unicode says renderers show as nothing: variation
 *   selectors, U+034F combining grapheme joiner, the Hangul fillers U+115F, U+1160, U+3164, U+FFA0,
 *   the Mongolian free variation selectors;
 * - U+2800 braille pattern blank, a blank glyph in every font and the usual way to post an empty
 *   bubble once the others are refused.
 * Combining marks, private-use and unassigned characters count as visible: they show as a mark or a
 * replacement box.
 */
const VISIBLE = /[^\p{White_Space}\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\u2800]/u;

/** Length in Unicode code points, so an emoji counts as one character, as people count. */
function codePointLength(text: string): number {
  let length = 0;
  for (const _ of text) length++;
  return length;
}

/**
 * The stored content of a message: the text trimmed (`String.prototype.trim`: Unicode white space
 * and line terminators at both ends), which must then hold 1 to 4000 characters (`limits.content`),
 * counted as code points, at least one of them visible (see {@link VISIBLE}: not only white space,
 * control or format characters such as U+200B).
 *
 * @throws EnvelopeError `content_empty`, `content_too_long`, `invalid_characters` (U+0000 or a lone
 * surrogate, which PostgreSQL cannot store), or `content_invisible`.
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
  if (!VISIBLE.test(content)) {
    throw new EnvelopeError('content_invisible', 'content has no visible character, only white space or format ones');
  }
  return content;
}
