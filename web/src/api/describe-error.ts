import { ApiError } from './api-error.ts';

/** What a person reads for each stable problem code (HTTP.md, docs/chat-api.md, docs/auth.md). */
const BY_CODE: Readonly<Record<string, string>> = {
  USERNAME_TAKEN: 'That username is taken. Try another one.',
  INVALID_CREDENTIALS: 'Wrong username or password.',
  INVALID_REFRESH_TOKEN: 'You have been signed out. Please log in again.',
  TOO_MANY_LOGIN_ATTEMPTS: 'Too many login attempts. Wait a few minutes and try again.',
  UNAUTHORIZED: 'You have been signed out. Please log in again.',
  SESSION_NOT_FOUND: 'That conversation does not exist, or you are not in it.',
  NOT_A_MEMBER: 'Join this conversation first.',
  NOT_THE_OWNER: 'Only the owner of this conversation can do that.',
  MESSAGE_NOT_FOUND: 'That message is not in this conversation.',
  NOT_THE_AUTHOR: 'Only the person who wrote that message can do that.',
  MESSAGE_DELETED: 'That message was deleted.',
  TOO_MANY_REACTIONS: 'That message has as many different reactions as it can take.',
  DIRECT_SESSION: 'People cannot be added to a one-to-one chat. Start a group instead.',
  SESSION_FULL: 'This conversation is full.',
  MESSAGE_ID_TAKEN: 'This message could not be sent. Write it again.',
  BODY_TOO_LARGE: 'That is too long to send.',
  BROKER_UNAVAILABLE: 'Warren could not deliver that just now. Try again in a moment.',
  DATABASE_UNAVAILABLE: 'Warren is having trouble right now. Try again in a moment.',
};

/** Field names of request bodies as a person calls them. */
const FIELD_NAMES: Readonly<Record<string, string>> = {
  username: 'Username',
  password: 'Password',
  email: 'Email',
  name: 'Name',
  content: 'Message',
  members: 'Members',
};

function byStatus(status: number): string {
  if (status === 0) return 'Cannot reach Warren. Check your connection and try again.';
  if (status === 401) return 'You have been signed out. Please log in again.';
  if (status === 403) return 'You are not allowed to do that.';
  if (status === 404) return 'That could not be found.';
  if (status === 409) return 'That clashes with something that already exists.';
  if (status === 413) return 'That is too long to send.';
  if (status === 429) return 'Too many requests. Wait a moment and try again.';
  if (status >= 500) return 'Warren is having trouble right now. Try again in a moment.';
  return 'That did not work. Check what you entered and try again.';
}

/**
 * The words a person reads for a failed request: never the raw problem document. Field problems
 * are named by field (`Username must be …`); a service's `detail` is shown only where it is written
 * for people (an unknown username), everything else maps from the stable code or the status.
 */
export function describeError(error: unknown): string {
  if (!(error instanceof ApiError)) return 'Something went wrong. Try again.';
  if (error.code === 'USER_NOT_FOUND') {
    const names = error.detail?.match(/^no user named (.+)$/)?.[1];
    return names === undefined ? 'There is no such user.' : `There is no user called ${names}.`;
  }
  if (error.code === 'TOO_MANY_MESSAGES') {
    return `You are sending messages too fast. Wait ${error.retryAfterSec ?? 1} s and try again.`;
  }
  if (error.status === 400 && error.fields.length > 0) {
    return error.fields
      .map(({ field, message }) => {
        const name = FIELD_NAMES[field];
        return name === undefined ? 'Some of what you entered is not valid.' : `${name} ${message}.`;
      })
      .filter((line, index, lines) => lines.indexOf(line) === index)
      .join(' ');
  }
  return (error.code === undefined ? undefined : BY_CODE[error.code]) ?? byStatus(error.status);
}
