import type { AccountActions } from './AccountMenu.tsx';
import { ConversationView } from './ConversationView.tsx';
import { useChat, useChatState } from './chat-context.ts';
import { SessionList } from './SessionList.tsx';

/**
 * The chat screens: the session list beside the open conversation on a wide screen; on a phone,
 * one at a time (the list, or the conversation with a way back).
 */
export function ChatShell({ account }: { account: AccountActions }) {
  const chat = useChat();
  const openId = useChatState((state) => state.openId);
  const notice = useChatState((state) => state.notice);
  return (
    <div class="shell" data-view={openId === undefined ? 'list' : 'conversation'}>
      <aside class="sidebar">
        <SessionList account={account} />
      </aside>
      <main class="main">
        {notice !== undefined && (
          <div class="banner" role="status">
            <span>{notice}</span>
            <button type="button" class="icon-button" aria-label="Dismiss" onClick={() => chat.dismissNotice()}>
              ×
            </button>
          </div>
        )}
        {openId === undefined ? (
          <div class="empty-state">
            <h2>Pick a conversation</h2>
            <p class="muted">Or start a new one from the list.</p>
          </div>
        ) : (
          <ConversationView key={openId} sessionId={openId} />
        )}
      </main>
    </div>
  );
}
