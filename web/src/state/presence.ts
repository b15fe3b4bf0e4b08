// Pure changes to what the client knows of users' presence, and who a direct chat's other user is.
import type { Member, Presence, Session } from '../api/types.ts';

/** One user's presence as last learned, with when it was learned (the tracker's own counter). */
export interface UserPresence {
  readonly online: boolean;
  /** When their last socket closed (ISO-8601); `null` while online or never seen. */
  readonly last_seen_at: string | null;
  /** When it was learned: a number of the tracker's clock, which only goes up. */
  readonly learnedAt: number;
}

/** What is known of users' presence, by user id. */
export type PresenceBook = Readonly<Record<string, UserPresence>>;

/** A `presence` event heard at `learnedAt`: the newest word on that user, whatever the book says. */
export function heardPresence(book: PresenceBook, user: Presence, learnedAt: number): PresenceBook {
  return { ...book, [user.id]: { online: user.online, last_seen_at: user.last_seen_at, learnedAt } };
}

/**
 * chat-api's answer to a question asked at `askedAt` (`GET /api/presence`, or a session's members),
 * arriving at `learnedAt`. A user heard of since the question was asked keeps what was heard: the
 * event is newer than the answer, which may have been made before it.
 */
export function answeredPresence(
  book: PresenceBook,
  users: readonly Presence[],
  askedAt: number,
  learnedAt: number,
): PresenceBook {
  let next: Record<string, UserPresence> | undefined;
  for (const user of users) {
    const known = book[user.id];
    if (known !== undefined && known.learnedAt > askedAt) continue;
    next ??= { ...book };
    next[user.id] = { online: user.online, last_seen_at: user.last_seen_at, learnedAt };
  }
  return next ?? book;
}

/**
 * The presence a session's members carry, for those that carry it (a chat-api older than presence
 * gives none).
 */
export function presenceOfMembers(members: readonly Member[]): Presence[] {
  return members
    .filter((member) => typeof member.online === 'boolean')
    .map((member) => ({ id: member.user.id, online: member.online, last_seen_at: member.last_seen_at ?? null }));
}

/**
 * The other user of a direct session, if its last message tells (they wrote it); else
 * `undefined`: only the session's members tell then.
 */
export function peerOfLastMessage(session: Session, myId: string): string | undefined {
  if (session.kind !== 'direct') return undefined;
  const author = session.last_message?.author;
  return author?.kind === 'user' && author.id !== myId ? author.id : undefined;
}

/** The other user of a direct session from its members; `null` when nobody else is in it any more. */
export function peerOfMembers(members: readonly Member[], myId: string): string | null {
  return members.find((member) => member.user.id !== myId)?.user.id ?? null;
}
