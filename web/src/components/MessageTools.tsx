import { useCallback, useRef, useState } from 'preact/hooks';
import { REACTION_EMOJI } from '../lib/emoji.ts';
import { useDismiss } from './use-dismiss.ts';

/** What a message's menu offers; a missing action is not offered. */
export interface MessageToolActions {
  readonly onReact: (emoji: string) => void;
  readonly onReplyInThread?: () => void;
  readonly onEdit?: () => void;
  readonly onDelete?: () => void;
}

/**
 * The tools beside a message, shown while it is hovered or focused: a reaction picker (a small
 * fixed set of emoji) and a menu of what the user may do to it (reply in its thread, edit their
 * own, delete their own or, as the session's owner, anyone's).
 */
export function MessageTools({ onReact, onReplyInThread, onEdit, onDelete }: MessageToolActions) {
  const [open, setOpen] = useState<'picker' | 'menu' | undefined>(undefined);
  const ref = useRef<HTMLDivElement>(null);
  const close = useCallback(() => setOpen(undefined), []);
  useDismiss(ref, open !== undefined, close);
  const toggle = (which: 'picker' | 'menu') => setOpen((current) => (current === which ? undefined : which));
  const choose = (action: () => void) => () => {
    close();
    action();
  };
  const hasMenu = onReplyInThread !== undefined || onEdit !== undefined || onDelete !== undefined;

  return (
    <div ref={ref} class={`message-tools${open === undefined ? '' : ' open'}`}>
      <button
        type="button"
        class="tool-button"
        aria-label="Add reaction"
        aria-haspopup="true"
        aria-expanded={open === 'picker'}
        onClick={() => toggle('picker')}
      >
        ☺
      </button>
      {hasMenu && (
        <button
          type="button"
          class="tool-button"
          aria-label="Message actions"
          aria-haspopup="menu"
          aria-expanded={open === 'menu'}
          onClick={() => toggle('menu')}
        >
          ⋯
        </button>
      )}
      {open === 'picker' && (
        <div class="popup reaction-picker">
          {REACTION_EMOJI.map(({ emoji, name }) => (
            <button
              key={emoji}
              type="button"
              class="picker-emoji"
              aria-label={`React with ${name}`}
              title={name}
              onClick={choose(() => onReact(emoji))}
            >
              {emoji}
            </button>
          ))}
        </div>
      )}
      {open === 'menu' && (
        <div class="popup message-menu" role="menu" aria-label="Message actions">
          {onReplyInThread !== undefined && (
            <button type="button" role="menuitem" onClick={choose(onReplyInThread)}>
              Reply in thread
            </button>
          )}
          {onEdit !== undefined && (
            <button type="button" role="menuitem" onClick={choose(onEdit)}>
              Edit
            </button>
          )}
          {onDelete !== undefined && (
            <button type="button" role="menuitem" class="danger" onClick={choose(onDelete)}>
              Delete
            </button>
          )}
        </div>
      )}
    </div>
  );
}
