import { useState } from 'preact/hooks';
import { PRESENCE_TICK_MS, presenceLabel } from '../lib/presence-label.ts';
import { displayName } from '../state/session-list.ts';
import { Composer } from './Composer.tsx';
import { ConnectionBadge } from './ConnectionBadge.tsx';
import { useChat, useChatState } from './chat-context.ts';
import { ErrorText } from './ErrorText.tsx';
import { MessageList } from './MessageList.tsx';
import { PresenceDot } from './PresenceDot.tsx';
import { SessionDetails } from './SessionDetails.tsx';
import { ThreadPanel } from './ThreadPanel.tsx';
import { TypingLine } from './TypingLine.tsx';
import { useNow } from './use-now.ts';
import { useDirectPeer, usePresence } from './use-presence.ts';

/**
 * One open session: its header (for a direct chat, whether the other user is online), its messages,
 * who is typing, the composer, and the thread panel beside them.
 */
export function ConversationView({ sessionId }: { sessionId: string }) {
  const chat = useChat();
  const session = useChatState((state) => state.sessions.find((candidate) => candidate.id === sessionId));
  const error = useChatState((state) => state.conversations[sessionId]?.error);
  const thread = useChatState((state) => (state.thread?.sessionId === sessionId ? state.thread : undefined));
  const [details, setDetails] = useState(false);
  const peer = usePresence(useDirectPeer(sessionId));
  const now = useNow(PRESENCE_TICK_MS);
  const subtitle =
    session === undefined
      ? ''
      : session.kind === 'direct'
        ? peer === undefined
          ? 'Direct chat'
          : presenceLabel(peer, now)
        : `${session.member_count} ${session.member_count === 1 ? 'member' : 'members'} · ${session.visibility}`;

  return (
    <div class="conversation-area">
      <section class="conversation" aria-label={session === undefined ? 'Conversation' : displayName(session)}>
        <header class="conversation-header">
          <button
            type="button"
            class="icon-button back"
            aria-label="Back to conversations"
            onClick={() => chat.open(undefined)}
          >
            ‹
          </button>
          <div class="conversation-title">
            <h2>{session === undefined ? '…' : displayName(session)}</h2>
            <span class="muted conversation-subtitle" data-testid="conversation-subtitle">
              {session?.kind === 'direct' && <PresenceDot presence={peer} />}
              {subtitle}
            </span>
          </div>
          {/* On a phone the list, with its connection state, is not on screen: shown here instead. */}
          <span class="header-connection">
            <ConnectionBadge />
          </span>
          <button type="button" class="button small" onClick={() => setDetails(true)}>
            Details
          </button>
        </header>
        <ErrorText message={error} />
        <MessageList sessionId={sessionId} />
        <TypingLine sessionId={sessionId} />
        <Composer sessionId={sessionId} />
        {details && <SessionDetails sessionId={sessionId} onClose={() => setDetails(false)} />}
      </section>
      {thread !== undefined && <ThreadPanel key={thread.rootId} thread={thread} />}
    </div>
  );
}
