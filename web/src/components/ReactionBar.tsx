import type { Reaction } from '../api/types.ts';

/**
 * A message's reactions under it: each emoji with its count, pressed when the user is among those
 * who reacted; clicking one adds the user's reaction or takes it back.
 */
export function ReactionBar({
  reactions,
  onToggle,
}: {
  reactions: readonly Reaction[];
  onToggle: (emoji: string) => void;
}) {
  if (reactions.length === 0) return null;
  return (
    <ul class="reactions" aria-label="Reactions">
      {reactions.map(({ emoji, count, me }) => (
        <li key={emoji}>
          <button
            type="button"
            class={`reaction${me ? ' me' : ''}`}
            data-emoji={emoji}
            aria-pressed={me}
            aria-label={`${emoji} ${count}${me ? ', including you' : ''}`}
            onClick={() => onToggle(emoji)}
          >
            <span class="reaction-emoji">{emoji}</span>
            <span class="reaction-count">{count}</span>
          </button>
        </li>
      ))}
    </ul>
  );
}
