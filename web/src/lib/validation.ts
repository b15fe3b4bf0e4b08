// The limits of README.md ("Limits every part enforces alike"), checked before asking a service,
// so a person learns what is wrong in words at once.

const USERNAME = /^[A-Za-z0-9_.-]{3,32}$/;

/** What is wrong with a username, or undefined. */
export function usernameProblem(username: string): string | undefined {
  return USERNAME.test(username) ? undefined : 'Username must be 3 to 32 characters: letters, digits, and _ . - only.';
}

/** What is wrong with a new password, or undefined (8 to 72 bytes in UTF-8: bcrypt's limit). */
export function passwordProblem(password: string): string | undefined {
  const bytes = new TextEncoder().encode(password).length;
  if (bytes < 8) return 'Password must be at least 8 characters.';
  if (bytes > 72) return 'Password is too long (at most 72 bytes; fewer with accents or emoji).';
  return undefined;
}

/** Most characters a message may have after trimming. */
export const MAX_MESSAGE_LENGTH = 4000;

/**
 * A character that shows, by the server's rule (`contentOf` in shared/src/envelope/field-rules.ts,
 * which the bundle cannot import without the server's dependencies): not white space, a control or
 * format character (U+200B, U+FEFF…), a default-ignorable one, nor U+2800 braille blank.
 */
const VISIBLE = /[^\p{White_Space}\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\u2800]/u;

/**
 * What is wrong with a message's text, or undefined: 1 to 4000 characters after trimming, at least
 * one of them visible, as every service checks (README.md limits). Text of only zero-width
 * characters would show as an empty bubble, and the server refuses it.
 */
export function messageProblem(text: string): string | undefined {
  const content = text.trim();
  if (content === '') return 'Write something first.';
  if (!VISIBLE.test(content)) return 'Only invisible characters: a message needs something to read.';
  const length = [...content].length;
  return length > MAX_MESSAGE_LENGTH ? `A message can have at most ${MAX_MESSAGE_LENGTH} characters.` : undefined;
}

/** What is wrong with a session name, or undefined. */
export function sessionNameProblem(name: string): string | undefined {
  const length = [...name.trim()].length;
  if (length === 0) return 'Give it a name.';
  return length > 100 ? 'A name can have at most 100 characters.' : undefined;
}
