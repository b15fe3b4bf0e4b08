import { useEffect, useState } from 'preact/hooks';
import { useChat, useChatState } from './chat-context.ts';

/** How long typing pauses before usernames are looked up. */
const LOOKUP_DELAY_MS = 150;

/**
 * A username field with suggestions from `GET /api/users` (usernames starting with what is typed).
 * Enter, or a click on a suggestion, picks; arrow keys move through the suggestions.
 */
export function UserPicker({
  label,
  value,
  onInput,
  onPick,
  exclude = [],
}: {
  label: string;
  value: string;
  onInput: (value: string) => void;
  onPick: (username: string) => void;
  exclude?: readonly string[];
}) {
  const chat = useChat();
  const me = useChatState((state) => state.me);
  const [found, setFound] = useState<string[]>([]);
  const [highlight, setHighlight] = useState(-1);
  const skip = new Set([me.username, ...exclude].map((name) => name.toLowerCase()));
  const suggestions = found.filter((name) => !skip.has(name.toLowerCase()));

  useEffect(() => {
    const prefix = value.trim();
    if (prefix === '') {
      setFound([]);
      return;
    }
    let current = true;
    const timer = setTimeout(() => {
      chat.sessions.suggestUsers(prefix).then(
        (users) => {
          if (!current) return;
          setFound(users.map((user) => user.username));
          setHighlight(-1);
        },
        // Suggestions are a convenience: without them the typed name still works.
        () => current && setFound([]),
      );
    }, LOOKUP_DELAY_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [chat, value]);

  const pick = (username: string) => {
    setFound([]);
    onPick(username);
  };

  return (
    <div class="picker">
      <label class="field">
        <span>{label}</span>
        <input
          value={value}
          autocomplete="off"
          autocapitalize="none"
          spellcheck={false}
          placeholder="Start typing a username"
          onInput={(event) => onInput(event.currentTarget.value)}
          onKeyDown={(event) => {
            if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
              event.preventDefault();
              const step = event.key === 'ArrowDown' ? 1 : -1;
              setHighlight((index) => Math.max(-1, Math.min(suggestions.length - 1, index + step)));
            } else if (event.key === 'Enter') {
              event.preventDefault();
              const chosen = suggestions[highlight] ?? value.trim();
              if (chosen !== '') pick(chosen);
            }
          }}
        />
      </label>
      {suggestions.length > 0 && (
        <ul class="suggestions" aria-label="Suggestions">
          {suggestions.map((username, index) => (
            <li key={username}>
              <button type="button" class={index === highlight ? 'highlighted' : ''} onClick={() => pick(username)}>
                {username}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
