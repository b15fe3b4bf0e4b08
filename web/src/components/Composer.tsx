import { useRef, useState } from 'preact/hooks';
import { MAX_MESSAGE_LENGTH, messageProblem } from '../lib/validation.ts';
import { useChat } from './chat-context.ts';

/** Where the character count starts to show. */
const SHOW_COUNT_FROM = MAX_MESSAGE_LENGTH - 500;

/** Grows the text box with its text, up to the height CSS allows. */
function fit(textarea: HTMLTextAreaElement): void {
  textarea.style.height = 'auto';
  textarea.style.height = `${textarea.scrollHeight}px`;
}

/**
 * Writes and sends a message: Enter sends, Shift+Enter starts a new line. With `replyTo`, it
 * writes replies in that root's thread (the thread panel's composer).
 */
export function Composer({ sessionId, replyTo }: { sessionId: string; replyTo?: string }) {
  const chat = useChat();
  const [text, setText] = useState('');
  const ref = useRef<HTMLTextAreaElement>(null);
  const length = [...text.trim()].length;
  const tooLong = length > MAX_MESSAGE_LENGTH;
  const problem = messageProblem(text);
  // Said only for text that has characters but none to see: empty needs no words, too long has its count.
  const invisible = length > 0 && !tooLong && problem !== undefined;

  const send = () => {
    const content = text.trim();
    if (problem !== undefined) return;
    chat.conversations.send(sessionId, content, replyTo ?? null);
    setText('');
    if (ref.current !== null) {
      ref.current.value = '';
      fit(ref.current);
    }
  };

  return (
    <form
      class="composer"
      onSubmit={(event) => {
        event.preventDefault();
        send();
      }}
    >
      <textarea
        ref={ref}
        rows={1}
        aria-label={replyTo === undefined ? 'Message' : 'Reply'}
        placeholder={replyTo === undefined ? 'Write a message' : 'Reply in thread'}
        value={text}
        onInput={(event) => {
          setText(event.currentTarget.value);
          fit(event.currentTarget);
          if (event.currentTarget.value.trim() !== '') chat.typing.typed(sessionId);
        }}
        onKeyDown={(event) => {
          // Not while an input method is composing: its Enter confirms a word.
          if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
            event.preventDefault();
            send();
          }
        }}
      />
      {invisible && (
        <span class="composer-problem" role="status">
          {problem}
        </span>
      )}
      {length >= SHOW_COUNT_FROM && (
        <span class={`count${tooLong ? ' over' : ''}`}>
          {length}/{MAX_MESSAGE_LENGTH}
        </span>
      )}
      <button type="submit" class="button primary send" disabled={problem !== undefined}>
        Send
      </button>
    </form>
  );
}
