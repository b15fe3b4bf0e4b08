// Pure changes to a message's reactions (HTTP.md `reactions: [{ emoji, count, me }]`).
import type { Reaction } from '../api/types.ts';

/**
 * The reactions after one user added or took back `emoji`; `mine`: that user is the caller. The
 * caller's own change is known by `me`, so it counts once however often it is heard (the client's
 * own optimistic change, then its event); another user's is counted as it comes. An emoji whose
 * count reaches 0 goes; a new one goes last. Places otherwise stay: reordering by count as the
 * server does would make reactions jump under the pointer, and the next load orders them again.
 * Answers `reactions` itself when nothing changes.
 */
export function withReaction(
  reactions: readonly Reaction[],
  emoji: string,
  added: boolean,
  mine: boolean,
): readonly Reaction[] {
  const index = reactions.findIndex((reaction) => reaction.emoji === emoji);
  const held = reactions[index];
  if (mine && added === (held?.me ?? false)) return reactions;
  if (held === undefined) return added ? [...reactions, { emoji, count: 1, me: mine }] : reactions;
  const me = mine ? added : held.me;
  // Never below 1 while the caller is among them: another's removal heard twice cannot hide it.
  const count = Math.max(held.count + (added ? 1 : -1), me ? 1 : 0);
  if (count === 0) return reactions.filter((_, i) => i !== index);
  const next = [...reactions];
  next[index] = { emoji, count, me };
  return next;
}

/** Whether the caller has reacted with `emoji`. */
export function reactedWith(reactions: readonly Reaction[], emoji: string): boolean {
  return reactions.some((reaction) => reaction.emoji === emoji && reaction.me);
}
