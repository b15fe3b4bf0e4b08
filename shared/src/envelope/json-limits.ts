import { isStorableText } from './storable-text.ts';

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
 * `isDeepStrictEqual`, a frame encoder) touches it.
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
