/**
 * The field rules of a chat message (AMQP.md, HTTP.md): what content, a type tag, extra and ids
 * must be, and the text and JSON limits under them. chat-api applies them to a post, the decoder to
 * a delivery, `warren send` to its text: one rule, one place.
 */
import { validate } from 'uuid';
import { limits } from '../limits.ts';
import { EnvelopeError } from './errors.ts';

/** The canonical (lower-case) form of a UUID, or null when the value is not one. */
export function canonicalUuid(value: unknown): string | null {
  return typeof value === 'string' && validate(value) ? value.toLowerCase() : null;
}

/** A lone UTF-16 surrogate: under `/u` a well-formed pair is one code point and does not match. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Whether PostgreSQL can store the text as it is: `text` and `jsonb` refuse U+0000, and a lone
 * surrogate has no UTF-8 form (the driver would silently replace it). Refusing such text keeps what
 * clients see live and what history keeps the same.
 */
function isStorableText(text: string): boolean {
  return !text.includes('\u0000') && !LONE_SURROGATE.test(text);
}

/** What {@link inspectJson} found. */
export interface JsonInspection {
  /** Objects and arrays nest deeper than the limit; the walk stopped there, `storable` is not known. */
  readonly tooDeep: boolean;
  /** Every key and string can be stored by PostgreSQL (see `isStorableText`). */
  readonly storable: boolean;
}

/**
 * Walks a JSON value without recursion, so no input, however deep, can overflow the stack: the one
 * place that measures JSON from outside before anything recursive (`JSON.stringify`,
 * a deep comparison, a frame encoder) touches it.
 *
 * Depth counts nested objects and arrays: `{}` and `[]` are 1 level, `{"a":{}}` 2; a string or number
 * adds none. The walk stops at the first container deeper than `maxDepth`, so its cost is bounded by
 * the size of the value, never by its depth, and a cyclic object counts as too deep.
 */
export function inspectJson(value: unknown, maxDepth: number): JsonInspection {
  let storable = true;
  const pending: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    const current = item.value;
    if (typeof current === 'string') {
      if (storable && !isStorableText(current)) storable = false;
      continue;
    }
    if (typeof current !== 'object' || current === null) continue;
    const depth = item.depth + 1;
    if (depth > maxDepth) return { tooDeep: true, storable: false };
    if (Array.isArray(current)) {
      for (const element of current) pending.push({ value: element, depth });
      continue;
    }
    for (const [key, element] of Object.entries(current)) {
      if (storable && !isStorableText(key)) storable = false;
      pending.push({ value: element, depth });
    }
  }
  return { tooDeep: false, storable };
}

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

/**
 * The `extra` of a message: a JSON object (not an array) at most 16 levels deep
 * (`limits.extraDepth`, `extra` itself the first) and of at most 8 KiB (`limits.extraBytes`) as
 * compact `JSON.stringify` UTF-8, or null when absent. An explicit `null` counts as absent, as HTTP.md
 * writes a message without extra with `"extra": null`.
 *
 * The depth is measured first and without recursion (`inspectJson`), so only a value known to be
 * shallow is ever serialized: no input can overflow the stack here or in any consumer after.
 *
 * @param extra a value parsed from JSON.
 * @throws EnvelopeError `extra_not_object`, `extra_too_deep`, `extra_too_large`, or
 * `invalid_characters` (U+0000 or a lone surrogate in a key or string, which `jsonb` cannot store).
 */
export function extraOf(extra: unknown): Readonly<Record<string, unknown>> | null {
  if (extra === undefined || extra === null) return null;
  if (typeof extra !== 'object' || Array.isArray(extra)) {
    throw new EnvelopeError('extra_not_object', 'extra must be a JSON object');
  }
  const inspection = inspectJson(extra, limits.extraDepth);
  if (inspection.tooDeep) {
    throw new EnvelopeError('extra_too_deep', `extra nests more than ${limits.extraDepth} levels deep`);
  }
  const bytes = Buffer.byteLength(JSON.stringify(extra), 'utf8');
  if (bytes > limits.extraBytes) {
    throw new EnvelopeError('extra_too_large', `extra is ${bytes} bytes serialized, more than ${limits.extraBytes}`);
  }
  if (!inspection.storable) throw new EnvelopeError('invalid_characters', 'extra holds U+0000 or a lone surrogate');
  return extra as Readonly<Record<string, unknown>>;
}

/** White space, control characters and lone surrogates: none may be in an emoji. */
const NOT_IN_EMOJI = /[\p{White_Space}\p{Cc}\p{Cs}]/u;

/**
 * A reaction's emoji (HTTP.md): one emoji or a short name such as `thumbsup`, 1 to 32 code points
 * (`limits.emoji`), no white space, control characters or lone surrogates, and at least one visible
 * character (see {@link VISIBLE}). Format characters may go with visible ones: the zero-width joiner
 * and variation selectors are part of many emoji (`👨‍👩‍👧`, `❤️`), but alone they draw nothing.
 *
 * @throws EnvelopeError `invalid_event` for anything else.
 */
export function emojiOf(value: unknown): string {
  if (typeof value !== 'string') throw new EnvelopeError('invalid_event', 'emoji must be a string');
  const length = codePointLength(value);
  if (length < limits.emoji.min || length > limits.emoji.max) {
    throw new EnvelopeError('invalid_event', `emoji must be ${limits.emoji.min} to ${limits.emoji.max} characters`);
  }
  if (NOT_IN_EMOJI.test(value)) {
    throw new EnvelopeError('invalid_event', 'emoji must hold no white space or control characters');
  }
  if (!VISIBLE.test(value)) throw new EnvelopeError('invalid_event', 'emoji must hold a visible character');
  return value;
}

/**
 * The `reply_to` of a message body: the lower-case UUID of the message it replies to, or null when
 * absent or null.
 *
 * @throws EnvelopeError `invalid_reply_to` for anything else.
 */
export function replyToOf(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  const id = canonicalUuid(value);
  if (id === null) throw new EnvelopeError('invalid_reply_to', 'reply_to must be a message id (a UUID)');
  return id;
}
