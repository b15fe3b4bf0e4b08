import { limits } from '../limits.ts';
import { EnvelopeError } from './envelope-error.ts';
import { isStorableText } from './storable-text.ts';

/** Whether every key and string in a JSON value can be stored by PostgreSQL's `jsonb`. */
function isStorableJson(value: unknown): boolean {
  if (typeof value === 'string') return isStorableText(value);
  if (Array.isArray(value)) return value.every(isStorableJson);
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).every(([key, item]) => isStorableText(key) && isStorableJson(item));
  }
  return true;
}

/**
 * The `extra` of a message: a JSON object (not an array) of at most 8 KiB (`limits.extraBytes`) as
 * compact `JSON.stringify` UTF-8, or null when absent. An explicit `null` counts as absent, as HTTP.md
 * writes a message without extra with `"extra": null`.
 *
 * @param extra a value parsed from JSON.
 * @throws EnvelopeError `extra_not_object`, `extra_too_large`, or `invalid_characters` (U+0000 or a
 * lone surrogate in a key or string, which `jsonb` cannot store).
 */
export function extraOf(extra: unknown): Readonly<Record<string, unknown>> | null {
  if (extra === undefined || extra === null) return null;
  if (typeof extra !== 'object' || Array.isArray(extra)) {
    throw new EnvelopeError('extra_not_object', 'extra must be a JSON object');
  }
  const bytes = Buffer.byteLength(JSON.stringify(extra), 'utf8');
  if (bytes > limits.extraBytes) {
    throw new EnvelopeError('extra_too_large', `extra is ${bytes} bytes serialized, more than ${limits.extraBytes}`);
  }
  if (!isStorableJson(extra)) throw new EnvelopeError('invalid_characters', 'extra holds U+0000 or a lone surrogate');
  return extra as Readonly<Record<string, unknown>>;
}
