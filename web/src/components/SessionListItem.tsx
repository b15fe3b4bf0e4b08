import type { Message, Session } from '../api/types.ts';
import { previewPrefix } from '../lib/author-view.ts';
import { formatListTime } from '../lib/format.ts';
import { displayName } from '../state/session-list.ts';
import { Avatar } from './Avatar.tsx';

/** Who wrote the last message, as the list shows it before the text (or where a deleted one was). */
function lastLine(message: Message, myId: string): string {
  return `${previewPrefix(message.author, myId)}${message.deleted_at === null ? message.content : 'message deleted'}`;
}

/** One session in the list: name, last message, time and unread count. */
export function SessionListItem({
  session,
  myId,
  active,
  onOpen,
}: {
  session: Session;
  myId: string;
  active: boolean;
  onOpen: () => void;
}) {
  const name = displayName(session);
  const unread = session.unread_count;
  return (
    <li>
      <button
        type="button"
        class={`session-item${active ? ' active' : ''}${unread > 0 ? ' has-unread' : ''}`}
        aria-current={active ? 'true' : undefined}
        data-session-id={session.id}
        onClick={onOpen}
      >
        <Avatar name={name} kind={session.kind === 'direct' ? 'user' : 'group'} />
        <span class="session-text">
          <span class="session-top">
            <span class="session-name">{name}</span>
            {session.last_message !== null && (
              <time class="session-time" dateTime={session.last_message.created_at}>
                {formatListTime(session.last_message.created_at)}
              </time>
            )}
          </span>
          <span class="session-bottom">
            <span class="session-preview">
              {session.last_message === null ? 'No messages yet' : lastLine(session.last_message, myId)}
            </span>
            {unread > 0 && (
              <span class="unread" data-testid="unread">
                {unread > 99 ? '99+' : unread}
                <span class="visually-hidden"> unread</span>
              </span>
            )}
          </span>
        </span>
      </button>
    </li>
  );
}
