import { limits } from '../limits.ts';
import { EnvelopeError } from './envelope-error.ts';
import { inspectJson } from './json-limits.ts';

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
