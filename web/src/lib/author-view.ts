// How a message's author is shown. A message published without `user_id` has no author (null):
// nobody vouches for it, so it is shown as from an unverified sender, never as from Warren itself
// (AMQP.md "Who wrote it"), since any producer can publish one.
import type { Author } from '../api/types.ts';

/** What the client draws for an author. */
export interface AuthorView {
  readonly kind: 'user' | 'bot' | 'unverified';
  /** The name above the message. */
  readonly name: string;
  /** What a tag next to the name says, when it has one. */
  readonly tag?: string;
  /** A sentence explaining the tag, as a tooltip. */
  readonly why?: string;
}

/** Who an unattributed message is from, in the session list. */
export const UNVERIFIED_SENDER = 'Unverified sender';

const UNVERIFIED: AuthorView = {
  kind: 'unverified',
  name: 'Unknown sender',
  tag: 'unverified',
  why: 'Published without a sender name: nobody vouches for who wrote it. It is not a message from Warren.',
};

/** How an author is named and drawn. */
export function authorView(author: Author): AuthorView {
  if (author === null) return UNVERIFIED;
  return author.kind === 'bot'
    ? { kind: 'bot', name: author.name, tag: 'bot', why: 'Posted by a program.' }
    : { kind: 'user', name: author.username };
}

/**
 * What messages of one author share, to be drawn as one group; undefined for an unverified one,
 * which is never grouped: two unattributed messages may come from anyone, so each carries its label.
 */
export function groupKey(author: Author): string | undefined {
  if (author === null) return undefined;
  return author.kind === 'bot' ? `bot:${author.name}` : `user:${author.id}`;
}

/** Who wrote a session's last message, as the session list puts it before the text. */
export function previewPrefix(author: Author, myId: string): string {
  if (author === null) return `${UNVERIFIED_SENDER}: `;
  if (author.kind === 'bot') return `${author.name}: `;
  return author.id === myId ? 'You: ' : `${author.username}: `;
}
