import type { Message, Session } from '../api/types.ts';
import { previewPrefix } from '../lib/author-view.ts';
import { formatListTime } from '../lib/format.ts';
import { presenceLabel } from '../lib/presence-label.ts';
import { displayName } from '../state/session-list.ts';
import { Avatar } from './Avatar.tsx';
import { PresenceDot } from './PresenceDot.tsx';
import { useDirectPeer, usePresence } from './use-presence.ts';

/** Who wrote the last message, as the list shows it before the text (or where a deleted one was). */
function lastLine(message: Message, myId: string): string {
  return `${previewPrefix(message.author, myId)}${message.deleted_at === null ? message.content : 'message deleted'}`;
}

/** One session in the list: name, last message, time and unread count; for a direct chat, whether the other user is online. */
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
  const presence = usePresence(useDirectPeer(session.id));
  return (
    <li>
      <button
        type="button"
        class={`session-item${active ? ' active' : ''}${unread > 0 ? ' has-unread' : ''}`}
        aria-current={active ? 'true' : undefined}
        data-session-id={session.id}
        onClick={onOpen}
      >
        <span class="avatar-with-presence">
          <Avatar name={name} kind={session.kind === 'direct' ? 'user' : 'group'} />
          <PresenceDot presence={presence} />
        </span>
        <span class="session-text">
          <span class="session-top">
            <span class="session-name">{name}</span>
            {presence !== undefined && (
              <span class="visually-hidden" data-testid="presence" data-online={String(presence.online)}>
                {` (${presenceLabel(presence)})`}
              </span>
            )}
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
