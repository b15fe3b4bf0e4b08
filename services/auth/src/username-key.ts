import { limits } from '@warren/shared/limits';

/**
 * The one key a username is known by: the name with its ASCII letters lower-cased, or undefined when
 * no user can have it (outside README.md's username limits: 3 to 32 of `A-Z a-z 0-9 _ . -`).
 *
 * The login limit is counted under this key and the user is looked up by it, so every spelling that
 * finds a user shares that user's budget. Only ASCII is folded, here and in the database (the
 * username indexes use the "C" collation): JavaScript and PostgreSQL lower-case other characters
 * differently (`İ`, `K` the Kelvin sign), which made spellings that shared a user but not a budget.
 */
export function usernameKey(username: unknown): string | undefined {
  if (typeof username !== 'string' || !limits.username.pattern.test(username)) return undefined;
  return username.replace(/[A-Z]/g, (letter) => letter.toLowerCase());
}
