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

/** What is wrong with a session name, or undefined. */
export function sessionNameProblem(name: string): string | undefined {
  const length = [...name.trim()].length;
  if (length === 0) return 'Give it a name.';
  return length > 100 ? 'A name can have at most 100 characters.' : undefined;
}
