import { hueOf, initialsOf } from '../lib/format.ts';

/** A round badge with a name's initials in the name's own colour; a question mark for an unverified sender. */
export function Avatar({ name, kind = 'user' }: { name: string; kind?: 'user' | 'bot' | 'unverified' | 'group' }) {
  return (
    <span class={`avatar avatar-${kind}`} style={{ '--hue': String(hueOf(name)) }} aria-hidden="true">
      {kind === 'unverified' ? '?' : initialsOf(name)}
    </span>
  );
}
