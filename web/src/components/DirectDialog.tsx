import { useState } from 'preact/hooks';
import { describeError } from '../api/describe-error.ts';
import { useChat } from './chat-context.ts';
import { Dialog } from './Dialog.tsx';
import { DialogActions } from './DialogActions.tsx';
import { UserPicker } from './UserPicker.tsx';

/** Opens the one-to-one chat with someone, by username. */
export function DirectDialog({ onClose, onOpened }: { onClose: () => void; onOpened: (id: string) => void }) {
  const chat = useChat();
  const [username, setUsername] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  const start = async (name: string) => {
    if (name.trim() === '') {
      setError('Type the username of the person to message.');
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      onOpened(await chat.sessions.startDirect(name));
    } catch (failure) {
      setError(describeError(failure));
      setBusy(false);
    }
  };

  return (
    <Dialog title="Chat with someone" onClose={onClose}>
      <form
        class="stack"
        onSubmit={(event) => {
          event.preventDefault();
          void start(username);
        }}
      >
        <UserPicker
          label="Username"
          value={username}
          onInput={setUsername}
          onPick={(name) => {
            setUsername(name);
            void start(name);
          }}
        />
        <DialogActions error={error} busy={busy} submitLabel="Start chat" onCancel={onClose} />
      </form>
    </Dialog>
  );
}
