import { authorView } from '../lib/author-view.ts';
import { formatTime } from '../lib/format.ts';
import type { ChatItem } from '../state/chat-state.ts';
import { Avatar } from './Avatar.tsx';

/**
 * One message. Its text is a text node (Preact escapes it; nothing is ever parsed as HTML), kept
 * with its line breaks. Own messages show whether they are on their way or were refused, with a way
 * to send them again. A message without an author is drawn as from an unverified sender.
 */
export function MessageItem({
  item,
  mine,
  continued,
  onRetry,
}: {
  item: ChatItem;
  mine: boolean;
  /** The same author as the message before, shortly before: no name and avatar again. */
  continued: boolean;
  onRetry: () => void;
}) {
  const { message, status } = item;
  const author = authorView(message.author);
  return (
    <li
      class={`message${mine ? ' mine' : ''}${continued ? ' continued' : ''} status-${status}`}
      data-message-id={message.id}
      data-author-kind={author.kind}
      data-status={status}
    >
      {!mine && (continued ? <span class="avatar-space" /> : <Avatar name={author.name} kind={author.kind} />)}
      <div class="bubble-wrap">
        {!mine && !continued && (
          <div class="author">
            <span class="author-name">{author.name}</span>
            {author.tag !== undefined && (
              <span class={`tag ${author.kind}-tag`} title={author.why}>
                {author.tag}
              </span>
            )}
          </div>
        )}
        <div class="bubble">
          <p class="message-text">{message.content}</p>
          <time class="message-time" dateTime={message.created_at}>
            {formatTime(message.created_at)}
          </time>
        </div>
        {status === 'sending' && <span class="send-state">Sending…</span>}
        {status === 'failed' && (
          <span class="send-state failed" role="alert">
            Not sent. {item.error}{' '}
            <button type="button" class="link-button" onClick={onRetry}>
              Retry
            </button>
          </span>
        )}
      </div>
    </li>
  );
}
