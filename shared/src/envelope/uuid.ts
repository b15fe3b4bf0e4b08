import { validate } from 'uuid';

/** The canonical (lower-case) form of a UUID, or null when the value is not one. */
export function canonicalUuid(value: unknown): string | null {
  return typeof value === 'string' && validate(value) ? value.toLowerCase() : null;
}
