import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { describeError } from '../api/describe-error.ts';
import { messageProblem } from '../lib/validation.ts';
import { ErrorText } from './ErrorText.tsx';

/**
 * A message's text being edited in place: Enter saves, Shift+Enter starts a new line, Escape
 * cancels. Unchanged text is not sent; text the server would refuse is said in words.
 */
export function MessageEditor({
  content,
  onSave,
  onDone,
}: {
  content: string;
  /** Sends the new text; rejects with chat-api's refusal. */
  onSave: (content: string) => Promise<void>;
  /** Saved or cancelled: the editor goes. */
  onDone: () => void;
}) {
  const [text, setText] = useState(content);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const ref = useRef<HTMLTextAreaElement>(null);

  // Before the browser hands the box to the user: a deferred effect would move the caret under
  // keys already typed or text already selected.
  useLayoutEffect(() => {
    const box = ref.current;
    if (box === null) return;
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);
  }, []);

  const save = async () => {
    const next = text.trim();
    if (next === content) return onDone();
    const problem = messageProblem(next);
    if (problem !== undefined) return setError(problem);
    setBusy(true);
    try {
      await onSave(next);
      onDone();
    } catch (failure) {
      setBusy(false);
      setError(describeError(failure));
    }
  };

  return (
    <form
      class="edit-form"
      onSubmit={(event) => {
        event.preventDefault();
        void save();
      }}
    >
      <textarea
        ref={ref}
        aria-label="Edit message"
        rows={Math.min(6, text.split('\n').length)}
        value={text}
        disabled={busy}
        onInput={(event) => setText(event.currentTarget.value)}
        onKeyDown={(event) => {
          if (event.key === 'Escape') {
            event.preventDefault();
            onDone();
          } else if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
            event.preventDefault();
            void save();
          }
        }}
      />
      <ErrorText message={error} />
      <div class="edit-actions">
        <span class="muted">Enter to save · Esc to cancel</span>
        <button type="button" class="button small" onClick={onDone}>
          Cancel
        </button>
        <button type="submit" class="button small primary" disabled={busy}>
          Save
        </button>
      </div>
    </form>
  );
}
