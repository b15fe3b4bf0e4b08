import { defineError } from '@warren/shared/errors';

/**
 * chat-api's errors, with stable codes (clients may rely on `code`). Shared ones (`NOT_FOUND`,
 * `INVALID_REQUEST`, `UNAUTHORIZED`, `RATE_LIMITED`, `BROKER_UNAVAILABLE`, …) come from
 * `SharedErrors`.
 */
export const ChatApiErrors = {
  /** No such session, or a private one the caller is not in (its existence is not revealed). */
  sessionNotFound: defineError('SESSION_NOT_FOUND', 404, 'Session not found'),
  /** A public session the caller is not a member of, on a route for members. */
  notAMember: defineError('NOT_A_MEMBER', 403, 'Not a member of this session'),
  /** A route for the session's owner. */
  notTheOwner: defineError('NOT_THE_OWNER', 403, 'Only the owner may do this'),
  /** A username or user id chat-api does not know. */
  userNotFound: defineError('USER_NOT_FOUND', 404, 'User not found'),
  /**
   * A message id (a cursor, a read marker, a reply's target, a message to change) that is not in
   * this session; a message of another session is answered alike, so it tells nothing.
   */
  messageNotFound: defineError('MESSAGE_NOT_FOUND', 404, 'Message not found'),
  /** Editing another's message, or deleting it without owning the session. */
  notTheAuthor: defineError('NOT_THE_AUTHOR', 403, 'Only the author may do this'),
  /** Editing or reacting to a deleted message (a tombstone). */
  messageDeleted: defineError('MESSAGE_DELETED', 409, 'Message deleted'),
  /** A reaction with a new emoji on a message that has the most distinct emoji it may have (50). */
  tooManyReactions: defineError('TOO_MANY_REACTIONS', 409, 'Too many distinct reactions'),
  /** Adding members to a direct session. */
  directSession: defineError('DIRECT_SESSION', 409, 'Not possible in a direct session'),
  /** The session has the most members it may have (README.md: 10,000). */
  sessionFull: defineError('SESSION_FULL', 409, 'Session full'),
  /** A client message id already stored for another author or session. */
  messageIdTaken: defineError('MESSAGE_ID_TAKEN', 409, 'Message id taken'),
  /**
   * An authenticated request before this instance has read auth's record of ended logins: it
   * cannot tell a signed-out token from a good one yet (`Retry-After` says when to retry).
   */
  endedLoginsUnknown: defineError('ENDED_LOGINS_UNKNOWN', 503, 'Sign-outs not known yet'),
  /** Posting faster than the per-user limit (`Retry-After` says when to retry). */
  tooManyMessages: defineError('TOO_MANY_MESSAGES', 429, 'Too many messages'),
} as const;
