import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import { groupKey } from '../lib/author-view.ts';
import { formatDay, sameDay } from '../lib/format.ts';
import { type ChatItem, type Conversation, EMPTY_CONVERSATION } from '../state/chat-state.ts';
import { heldReplyCounts, mainItems, replyCountOf } from '../state/thread-view.ts';
import { useChat, useChatState } from './chat-context.ts';
import { MessageItem } from './MessageItem.tsx';

/** Scrolled this close to the top, the page before is loaded. */
const LOAD_OLDER_WITHIN_PX = 200;
/** This close to the bottom counts as reading the newest messages. */
const AT_BOTTOM_WITHIN_PX = 48;
/** Messages of one author closer together than this are drawn as one group. */
const GROUP_WITHIN_MS = 5 * 60_000;

/** Whether a message continues the group of the one before it. */
function continues(item: ChatItem, previous: ChatItem | undefined): boolean {
  const key = groupKey(item.message.author);
  if (previous === undefined || key === undefined || key !== groupKey(previous.message.author)) return false;
  return Date.parse(item.message.created_at) - Date.parse(previous.message.created_at) < GROUP_WITHIN_MS;
}

/**
 * A conversation's messages, oldest at the top; replies are not among them (they are shown in
 * their thread's panel), their roots say how many there are. It stays at the bottom while the user
 * is there, keeps its place when older messages are put above, loads older ones when scrolled near
 * the top, scrolls to a message jumped to from search, and tells the read markers whenever the
 * newest messages are in view.
 */
export function MessageList({ sessionId }: { sessionId: string }) {
  const chat = useChat();
  const conversation: Conversation = useChatState((state) => state.conversations[sessionId] ?? EMPTY_CONVERSATION);
  const myId = useChatState((state) => state.me.id);
  const ownerId = useChatState((state) => state.sessions.find((session) => session.id === sessionId)?.owner_id);
  const highlight = useChatState((state) => state.highlight);
  const ref = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const before = useRef<{ firstId: string | undefined; height: number }>({ firstId: undefined, height: 0 });
  /** The jump (`Highlight.seq`) last scrolled to. */
  const scrolledTo = useRef<number | undefined>(undefined);
  const items = mainItems(conversation.items);
  const replies = heldReplyCounts(conversation.items);

  const readIfInView = () => {
    if (atBottom.current && document.visibilityState === 'visible') chat.readMarkers.seen(sessionId);
  };

  const loadOlderIfNeeded = (element: HTMLDivElement) => {
    const short = element.scrollHeight <= element.clientHeight;
    if (element.scrollTop < LOAD_OLDER_WITHIN_PX || short) void chat.conversations.loadOlder(sessionId);
  };

  useLayoutEffect(() => {
    const element = ref.current;
    if (element === null) return;
    const firstId = items[0]?.message.id;
    const previous = before.current;
    const prepended =
      previous.firstId !== undefined &&
      firstId !== previous.firstId &&
      items.some((i) => i.message.id === previous.firstId);
    if (prepended) element.scrollTop += element.scrollHeight - previous.height;
    else if (atBottom.current) element.scrollTop = element.scrollHeight;
    if (highlight?.sessionId === sessionId && scrolledTo.current !== highlight.seq) {
      const target = element.querySelector(`.message-list > [data-message-id="${highlight.messageId}"]`);
      if (target !== null) {
        target.scrollIntoView({ block: 'center' });
        scrolledTo.current = highlight.seq;
        atBottom.current = element.scrollHeight - element.scrollTop - element.clientHeight < AT_BOTTOM_WITHIN_PX;
      }
    }
    before.current = { firstId, height: element.scrollHeight };
    if (conversation.loaded) {
      readIfInView();
      loadOlderIfNeeded(element);
    }
  });

  useEffect(() => {
    const onVisible = () => readIfInView();
    document.addEventListener('visibilitychange', onVisible);
    return () => document.removeEventListener('visibilitychange', onVisible);
  });

  return (
    <div
      ref={ref}
      class="messages"
      onScroll={(event) => {
        const element = event.currentTarget;
        atBottom.current = element.scrollHeight - element.scrollTop - element.clientHeight < AT_BOTTOM_WITHIN_PX;
        before.current = { firstId: items[0]?.message.id, height: element.scrollHeight };
        readIfInView();
        loadOlderIfNeeded(element);
      }}
    >
      {conversation.loadingOlder && <p class="muted center">Loading earlier messages…</p>}
      {conversation.loaded && !conversation.hasOlder && items.length > 0 && (
        <p class="muted center history-start">This is the beginning of the conversation.</p>
      )}
      {!conversation.loaded && conversation.error === undefined && <p class="muted center">Loading…</p>}
      {conversation.loaded && items.length === 0 && <p class="muted center">No messages yet. Say hello!</p>}
      <ol class="message-list" aria-label="Messages">
        {items.map((item, index) => {
          const previous = items[index - 1];
          const newDay = previous === undefined || !sameDay(previous.message.created_at, item.message.created_at);
          const author = item.message.author;
          return [
            newDay && (
              <li key={`day-${item.message.id}`} class="day" aria-hidden="true">
                <span>{formatDay(item.message.created_at)}</span>
              </li>
            ),
            <MessageItem
              key={item.message.id}
              item={item}
              mine={author?.kind === 'user' && author.id === myId}
              continued={!newDay && continues(item, previous)}
              onRetry={() => chat.conversations.retry(sessionId, item.message.id)}
              canDelete={(author?.kind === 'user' && author.id === myId) || ownerId === myId}
              replyCount={replyCountOf(item.message, replies)}
              onOpenThread={() => void chat.threads.open(sessionId, item.message.id)}
              highlighted={highlight?.sessionId === sessionId && highlight.messageId === item.message.id}
            />,
          ];
        })}
      </ol>
    </div>
  );
}
