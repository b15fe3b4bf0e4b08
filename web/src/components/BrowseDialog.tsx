import { useEffect, useState } from 'preact/hooks';
import { describeError } from '../api/describe-error.ts';
import type { SearchHit } from '../api/types.ts';
import { displayName } from '../state/session-list.ts';
import { useChat } from './chat-context.ts';
import { Dialog } from './Dialog.tsx';
import { ErrorText } from './ErrorText.tsx';

/** How long typing pauses before searching. */
const SEARCH_DELAY_MS = 200;

/** Finds public groups by name, and joins or opens them. */
export function BrowseDialog({ onClose, onJoined }: { onClose: () => void; onJoined: (id: string) => void }) {
  const chat = useChat();
  const [query, setQuery] = useState('');
  const [hits, setHits] = useState<SearchHit[] | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);

  useEffect(() => {
    let current = true;
    const timer = setTimeout(() => {
      chat.sessions.searchPublic(query).then(
        (found) => {
          if (!current) return;
          setHits(found);
          setError(undefined);
        },
        (failure: unknown) => current && setError(describeError(failure)),
      );
    }, SEARCH_DELAY_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [chat, query]);

  const join = async (hit: SearchHit) => {
    try {
      onJoined(hit.is_member ? hit.id : await chat.sessions.join(hit.id));
    } catch (failure) {
      setError(describeError(failure));
    }
  };

  return (
    <Dialog title="Find groups" onClose={onClose}>
      <div class="stack">
        <label class="field">
          <span>Search public groups</span>
          <input type="search" value={query} onInput={(event) => setQuery(event.currentTarget.value)} />
        </label>
        <ErrorText message={error} />
        {hits?.length === 0 && <p class="muted">No public groups match.</p>}
        <ul class="hits">
          {hits?.map((hit) => (
            <li key={hit.id} class="hit">
              <span class="hit-text">
                <span class="hit-name">{displayName(hit)}</span>
                <span class="muted">
                  {hit.member_count} {hit.member_count === 1 ? 'member' : 'members'}
                </span>
              </span>
              <button type="button" class={`button${hit.is_member ? '' : ' primary'}`} onClick={() => void join(hit)}>
                {hit.is_member ? 'Open' : 'Join'}
              </button>
            </li>
          ))}
        </ul>
      </div>
    </Dialog>
  );
}
