import { useState } from 'preact/hooks';
import { describeError } from '../api/describe-error.ts';
import { Dialog } from './Dialog.tsx';
import { DialogActions } from './DialogActions.tsx';

/** Asks before deleting a message: everyone then sees "message deleted" in its place. */
export function DeleteMessageDialog({
  mine,
  onDelete,
  onClose,
}: {
  /** The user's own message (else they delete another's as the session's owner). */
  mine: boolean;
  /** Deletes it; rejects with chat-api's refusal. */
  onDelete: () => Promise<void>;
  onClose: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  return (
    <Dialog title="Delete message?" onClose={onClose}>
      <form
        class="stack"
        onSubmit={async (event) => {
          event.preventDefault();
          setBusy(true);
          try {
            await onDelete();
            onClose();
          } catch (failure) {
            setBusy(false);
            setError(describeError(failure));
          }
        }}
      >
        <p>
          {mine ? 'Everyone' : 'As the owner of this conversation you can delete anyone’s message. Everyone'} in this
          conversation will see “message deleted” in its place. This cannot be undone.
        </p>
        <DialogActions error={error} busy={busy} submitLabel="Delete" onCancel={onClose} />
      </form>
    </Dialog>
  );
}
