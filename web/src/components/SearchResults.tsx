import type { Message } from '../api/types.ts';
import { authorView } from '../lib/author-view.ts';
import { formatListTime } from '../lib/format.ts';
import { snippetOf } from '../lib/snippet.ts';
import type { SearchState } from '../state/chat-state.ts';
import { displayName } from '../state/session-list.ts';
import { useChat, useChatState } from './chat-context.ts';
import { ErrorText } from './ErrorText.tsx';

/** One result: where and by whom, when, and the text around the words found (marked). */
function SearchResult({ message, query, onOpen }: { message: Message; query: string; onOpen: () => void }) {
  const session = useChatState((state) => state.sessions.find((candidate) => candidate.id === message.session_id));
  return (
    <li>
      <button type="button" class="search-result" data-message-id={message.id} onClick={onOpen}>
        <span class="session-top">
          <span class="result-session">{session === undefined ? 'A conversation' : displayName(session)}</span>
          <time class="session-time" dateTime={message.created_at}>
            {formatListTime(message.created_at)}
          </time>
        </span>
        <span class="result-author">
          {authorView(message.author).name}
          {message.reply_to !== null && <span class="muted"> · in a thread</span>}
        </span>
        <span class="result-snippet">
          {snippetOf(message.content, query).map((part, index) =>
            part.match ? <mark key={index}>{part.text}</mark> : part.text,
          )}
        </span>
      </button>
    </li>
  );
}

/** The message search's results, newest first, in place of the session list; one opens where it was said. */
export function SearchResults({ search }: { search: SearchState }) {
  const chat = useChat();
  const { results } = search;
  return (
    <section class="search-results" aria-label="Search results">
      <ErrorText message={search.error} />
      {!search.loading && search.error === undefined && results.length === 0 && (
        <p class="muted list-empty">No messages match “{search.query}”.</p>
      )}
      <ul class="results">
        {results.map((message) => (
          <SearchResult
            key={message.id}
            message={message}
            query={search.query}
            onOpen={() => void chat.jumpTo(message)}
          />
        ))}
      </ul>
      {search.loading && <p class="muted center">Searching…</p>}
      {search.hasMore && !search.loading && (
        <p class="center">
          <button type="button" class="button small" onClick={() => void chat.search.more()}>
            More results
          </button>
        </p>
      )}
    </section>
  );
}
