/** A lone UTF-16 surrogate: under `/u` a well-formed pair is one code point and does not match. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Whether PostgreSQL can store the text as it is: `text` and `jsonb` refuse U+0000, and a lone
 * surrogate has no UTF-8 form (the driver would silently replace it). Refusing such text keeps what
 * clients see live and what history keeps the same.
 */
export function isStorableText(text: string): boolean {
  return !text.includes('\u0000') && !LONE_SURROGATE.test(text);
}
