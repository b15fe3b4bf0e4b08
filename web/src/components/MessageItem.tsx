import { useState } from 'preact/hooks';
import { authorView } from '../lib/author-view.ts';
import { formatTime } from '../lib/format.ts';
import type { ChatItem } from '../state/chat-state.ts';
import { Avatar } from './Avatar.tsx';
import { useChat } from './chat-context.ts';
import { DeleteMessageDialog } from './DeleteMessageDialog.tsx';
import { MessageEditor } from './MessageEditor.tsx';
import { MessageTools } from './MessageTools.tsx';
import { ReactionBar } from './ReactionBar.tsx';

/**
 * One message. Its text is a text node (Preact escapes it; nothing is ever parsed as HTML), kept
 * with its line breaks. Own messages show whether they are on their way or were refused, with a way
 * to send them again. A message without an author is drawn as from an unverified sender. A stored
 * message has tools (reactions, and a menu to reply in its thread, edit or delete it), its
 * reactions under it, "edited" once edited, and "message deleted" in place of a deleted one's text.
 */
export function MessageItem({
  item,
  mine,
  continued,
  onRetry,
  canDelete,
  replyCount,
  onOpenThread,
  highlighted,
}: {
  item: ChatItem;
  mine: boolean;
  /** The same author as the message before, shortly before: no name and avatar again. */
  continued: boolean;
  onRetry: () => void;
  /** The user may delete it: their own, or any in a session they own. */
  canDelete: boolean;
  /** Replies in its thread, shown as a way into it (a root in the main list). */
  replyCount?: number;
  /** Opens its thread (offered in the main list, not in the thread panel). */
  onOpenThread?: () => void;
  /** A search result jumped to: scrolled to and marked. */
  highlighted: boolean;
}) {
  const chat = useChat();
  const { message, status } = item;
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const author = authorView(message.author);
  const deleted = message.deleted_at !== null;
  // Only what chat-api has stored can be changed: not a message still on its way or refused.
  const changeable = status === 'sent' && !deleted;
  const sessionId = message.session_id;
  const replies = replyCount ?? 0;

  return (
    <li
      class={`message${mine ? ' mine' : ''}${continued ? ' continued' : ''} status-${status}${deleted ? ' deleted' : ''}${highlighted ? ' highlighted' : ''}`}
      data-message-id={message.id}
      data-author-kind={author.kind}
      data-status={status}
      data-highlighted={highlighted ? 'true' : undefined}
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
        {editing ? (
          <MessageEditor
            content={message.content}
            onSave={(content) => chat.messages.edit(sessionId, message.id, content)}
            onDone={() => setEditing(false)}
          />
        ) : (
          <div class="bubble">
            {deleted ? <p class="message-deleted">message deleted</p> : <p class="message-text">{message.content}</p>}
            {message.edited_at !== null && !deleted && (
              <span class="edited" title={`Edited ${formatTime(message.edited_at)}`}>
                edited
              </span>
            )}
            <time class="message-time" dateTime={message.created_at}>
              {formatTime(message.created_at)}
            </time>
          </div>
        )}
        {!deleted && (
          <ReactionBar
            reactions={message.reactions}
            onToggle={(emoji) => void chat.messages.toggleReaction(sessionId, message.id, emoji)}
          />
        )}
        {onOpenThread !== undefined && replies > 0 && (
          <button type="button" class="link-button reply-count" onClick={onOpenThread}>
            {replies === 1 ? '1 reply' : `${replies} replies`}
          </button>
        )}
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
      {changeable && !editing && (
        <MessageTools
          onReact={(emoji) => void chat.messages.toggleReaction(sessionId, message.id, emoji)}
          {...(onOpenThread === undefined ? {} : { onReplyInThread: onOpenThread })}
          {...(mine ? { onEdit: () => setEditing(true) } : {})}
          {...(canDelete ? { onDelete: () => setConfirming(true) } : {})}
        />
      )}
      {confirming && (
        <DeleteMessageDialog
          mine={mine}
          onDelete={() => chat.messages.remove(sessionId, message.id)}
          onClose={() => setConfirming(false)}
        />
      )}
    </li>
  );
}
