import { useEffect, useState } from 'preact/hooks';
import { useChat } from './chat-context.ts';

/** How long typing pauses before searching. */
const SEARCH_DELAY_MS = 250;

/** The message search's box: searches as the user types (after a pause), Escape clears it. */
export function SearchBox() {
  const chat = useChat();
  const [query, setQuery] = useState('');

  useEffect(() => {
    if (query.trim() === '') {
      chat.search.clear();
      return;
    }
    const timer = setTimeout(() => void chat.search.run(query), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [chat, query]);

  return (
    <form
      class="search-box"
      onSubmit={(event) => {
        event.preventDefault();
        void chat.search.run(query);
      }}
    >
      <input
        type="search"
        aria-label="Search messages"
        placeholder="Search messages"
        value={query}
        onInput={(event) => setQuery(event.currentTarget.value)}
        onKeyDown={(event) => {
          if (event.key === 'Escape') setQuery('');
        }}
      />
    </form>
  );
}
