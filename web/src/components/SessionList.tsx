import { useState } from 'preact/hooks';
import { type AccountActions, AccountMenu } from './AccountMenu.tsx';
import { Brand } from './Brand.tsx';
import { BrowseDialog } from './BrowseDialog.tsx';
import { ConnectionBadge } from './ConnectionBadge.tsx';
import { useChat, useChatState } from './chat-context.ts';
import { DirectDialog } from './DirectDialog.tsx';
import { ErrorText } from './ErrorText.tsx';
import { NewGroupDialog } from './NewGroupDialog.tsx';
import { SearchBox } from './SearchBox.tsx';
import { SearchResults } from './SearchResults.tsx';
import { SessionListItem } from './SessionListItem.tsx';

type OpenDialog = 'group' | 'direct' | 'browse' | undefined;

/**
 * The user's sessions, most recently active first, and the ways to start or find more; while the
 * message search has a query, its results instead.
 */
export function SessionList({ account }: { account: AccountActions }) {
  const chat = useChat();
  const me = useChatState((state) => state.me);
  const sessions = useChatState((state) => state.sessions);
  const loaded = useChatState((state) => state.sessionsLoaded);
  const error = useChatState((state) => state.sessionsError);
  const openId = useChatState((state) => state.openId);
  const search = useChatState((state) => state.search);
  const [dialog, setDialog] = useState<OpenDialog>(undefined);
  const close = () => setDialog(undefined);
  const opened = (id: string) => {
    close();
    chat.open(id);
  };

  return (
    <div class="session-list">
      <header class="sidebar-header">
        <Brand />
        <ConnectionBadge />
      </header>
      <div class="me-row">
        <AccountMenu username={me.username} account={account} />
      </div>
      <nav class="actions" aria-label="Start a conversation">
        <button type="button" class="button primary" onClick={() => setDialog('group')}>
          New group
        </button>
        <button type="button" class="button" onClick={() => setDialog('direct')}>
          New chat
        </button>
        <button type="button" class="button" onClick={() => setDialog('browse')}>
          Find groups
        </button>
      </nav>
      <SearchBox />
      {search !== undefined && <SearchResults search={search} />}
      {search === undefined && <ErrorText message={error} />}
      {search === undefined && loaded && sessions.length === 0 && (
        <p class="muted list-empty">No conversations yet. Start one above, or find a public group to join.</p>
      )}
      <ul class="sessions" aria-label="Conversations" hidden={search !== undefined}>
        {sessions.map((session) => (
          <SessionListItem
            key={session.id}
            session={session}
            myId={me.id}
            active={session.id === openId}
            onOpen={() => chat.open(session.id)}
          />
        ))}
      </ul>
      {dialog === 'group' && <NewGroupDialog onClose={close} onCreated={opened} />}
      {dialog === 'direct' && <DirectDialog onClose={close} onOpened={opened} />}
      {dialog === 'browse' && <BrowseDialog onClose={close} onJoined={opened} />}
    </div>
  );
}
