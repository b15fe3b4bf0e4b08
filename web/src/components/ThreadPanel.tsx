import { useLayoutEffect, useRef } from 'preact/hooks';
import type { ChatItem, ThreadState } from '../state/chat-state.ts';
import { threadItems } from '../state/thread-view.ts';
import { Composer } from './Composer.tsx';
import { useChat, useChatState } from './chat-context.ts';
import { ErrorText } from './ErrorText.tsx';
import { MessageItem } from './MessageItem.tsx';

/** This close to the bottom, the panel follows new replies. */
const AT_BOTTOM_WITHIN_PX = 48;

const NO_ITEMS: readonly ChatItem[] = [];

/**
 * The side panel of one thread: its root, its replies oldest first (page by page from the thread
 * route, then those that arrived live or were posted here), and a composer that posts into it.
 */
export function ThreadPanel({ thread }: { thread: ThreadState }) {
  const chat = useChat();
  const { sessionId, rootId } = thread;
  const items = useChatState((state) => state.conversations[sessionId]?.items ?? NO_ITEMS);
  const myId = useChatState((state) => state.me.id);
  const ownerId = useChatState((state) => state.sessions.find((session) => session.id === sessionId)?.owner_id);
  const highlight = useChatState((state) => state.highlight);
  const ref = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const scrolledTo = useRef<number | undefined>(undefined);
  // The conversation's copy of the root if it holds one (it follows history), else the thread route's.
  const root =
    items.find((item) => item.message.id === rootId) ??
    (thread.root && { message: thread.root, status: 'sent' as const });
  const { paged, later } = threadItems(thread, items);
  // Replies not paged in yet count too.
  const count = Math.max(root?.message.reply_count ?? 0, paged.length + later.length);

  useLayoutEffect(() => {
    const element = ref.current;
    if (element === null) return;
    if (highlight?.sessionId === sessionId && scrolledTo.current !== highlight.seq) {
      const target = element.querySelector(`[data-message-id="${highlight.messageId}"]`);
      if (target !== null) {
        target.scrollIntoView({ block: 'center' });
        scrolledTo.current = highlight.seq;
        return;
      }
    }
    if (atBottom.current) element.scrollTop = element.scrollHeight;
  });

  const show = (item: ChatItem) => {
    const author = item.message.author;
    const mine = author?.kind === 'user' && author.id === myId;
    return (
      <MessageItem
        key={item.message.id}
        item={item}
        mine={mine}
        continued={false}
        onRetry={() => chat.conversations.retry(sessionId, item.message.id)}
        canDelete={mine || ownerId === myId}
        highlighted={highlight?.sessionId === sessionId && highlight.messageId === item.message.id}
      />
    );
  };

  return (
    <aside class="thread-panel" aria-label="Thread">
      <header class="thread-header">
        <h2>Thread</h2>
        <button type="button" class="icon-button" aria-label="Close thread" onClick={() => chat.threads.close()}>
          ×
        </button>
      </header>
      <ErrorText message={thread.error} />
      <div
        ref={ref}
        class="thread-body"
        onScroll={(event) => {
          const element = event.currentTarget;
          atBottom.current = element.scrollHeight - element.scrollTop - element.clientHeight < AT_BOTTOM_WITHIN_PX;
        }}
      >
        {root === undefined ? <p class="muted center">Loading…</p> : <ol class="thread-root">{show(root)}</ol>}
        {thread.loaded && (
          <p class="thread-count muted" data-testid="thread-count">
            {count === 0 ? 'No replies yet' : count === 1 ? '1 reply' : `${count} replies`}
          </p>
        )}
        <ol class="thread-list" aria-label="Replies">
          {paged.map(show)}
          {thread.hasMore && (
            <li class="center">
              <button
                type="button"
                class="button small"
                disabled={thread.loadingMore}
                onClick={() => void chat.threads.more()}
              >
                {thread.loadingMore ? 'Loading…' : 'Show more replies'}
              </button>
            </li>
          )}
          {later.map(show)}
        </ol>
      </div>
      <Composer sessionId={sessionId} replyTo={rootId} />
    </aside>
  );
}
