// Pure changes to the session list, which is kept most recently active first.
import type { Message, Session } from '../api/types.ts';

/** A message arrived in a session: it moves to the top with the message as its last, one more unread if `unread`. */
export function bumpSession(
  sessions: readonly Session[],
  message: Message,
  unread: boolean,
): readonly Session[] | undefined {
  const session = sessions.find((candidate) => candidate.id === message.session_id);
  if (session === undefined) return undefined;
  const later = session.last_message === null || message.created_at >= session.last_message.created_at;
  const bumped: Session = {
    ...session,
    last_message: later || session.last_message?.id === message.id ? message : session.last_message,
    // ISO-8601 times in UTC compare as strings.
    bumped_at: message.created_at.localeCompare(session.bumped_at) > 0 ? message.created_at : session.bumped_at,
    unread_count: session.unread_count + (unread ? 1 : 0),
  };
  return [bumped, ...sessions.filter((candidate) => candidate.id !== session.id)];
}

/** Whether message `a` came after `b` (ISO-8601 UTC times compare as strings; ids break ties). */
function isLater(a: Message | null, b: Message | null): boolean {
  if (a === null) return false;
  if (b === null) return true;
  return a.created_at > b.created_at || (a.created_at === b.created_at && a.id > b.id);
}

/**
 * The list chat-api answered, merged with what this tab already holds. chat-api knows the messages
 * the persister has stored, which may be a moment behind what the socket delivered: a session
 * whose held last message is later than the loaded one keeps that message, its time and its unread
 * count (never fewer than chat-api's), so a reload never makes the list go back in time.
 * Membership and everything else are chat-api's.
 */
export function mergeLoadedSessions(loaded: readonly Session[], held: readonly Session[]): readonly Session[] {
  const heldById = new Map(held.map((session) => [session.id, session]));
  const merged = loaded.map((session) => {
    const mine = heldById.get(session.id);
    if (mine === undefined || !isLater(mine.last_message, session.last_message)) return session;
    return {
      ...session,
      last_message: mine.last_message,
      bumped_at: mine.bumped_at.localeCompare(session.bumped_at) > 0 ? mine.bumped_at : session.bumped_at,
      unread_count: Math.max(mine.unread_count, session.unread_count),
    };
  });
  // Most recently active first; stable, so chat-api's order stands among equals.
  return merged.sort((a, b) => (a.bumped_at === b.bumped_at ? 0 : a.bumped_at > b.bumped_at ? -1 : 1));
}

/** A session the user is in now (made, joined, added to): replaced where it is, or put on top. */
export function upsertSession(sessions: readonly Session[], session: Session): readonly Session[] {
  const index = sessions.findIndex((candidate) => candidate.id === session.id);
  if (index < 0) return [session, ...sessions];
  const next = [...sessions];
  next[index] = session;
  return next;
}

/** Changes some fields of one session, keeping its place. */
export function patchSession(
  sessions: readonly Session[],
  id: string,
  patch: (session: Session) => Partial<Session>,
): readonly Session[] {
  return sessions.map((session) => (session.id === id ? { ...session, ...patch(session) } : session));
}

/** A session the user is no longer in (left, removed, deleted). */
export function removeSession(sessions: readonly Session[], id: string): readonly Session[] {
  return sessions.filter((session) => session.id !== id);
}

/** The name a session shows: a group's own, a direct session's other member, or its members'. */
export function displayName(session: Pick<Session, 'name' | 'kind'>): string {
  if (session.name !== null && session.name !== '') return session.name;
  return session.kind === 'direct' ? 'Direct chat' : 'Untitled group';
}
