import { useState } from 'preact/hooks';
import { describeError } from '../api/describe-error.ts';
import type { Session } from '../api/types.ts';
import { sessionNameProblem } from '../lib/validation.ts';
import { useChat } from './chat-context.ts';
import { Dialog } from './Dialog.tsx';
import { DialogActions } from './DialogActions.tsx';
import { UserPicker } from './UserPicker.tsx';

/** The choices of who can find a group, in the order offered. */
const VISIBILITIES: readonly (readonly [Session['visibility'], string])[] = [
  ['private', 'Private: only people added'],
  ['public', 'Public: anyone can find and join it'],
];

/** Makes a group: a name, public or private, and its first members. */
export function NewGroupDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (id: string) => void }) {
  const chat = useChat();
  const [name, setName] = useState('');
  const [visibility, setVisibility] = useState<Session['visibility']>('private');
  const [members, setMembers] = useState<string[]>([]);
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  const add = (username: string) => {
    if (!members.some((member) => member.toLowerCase() === username.toLowerCase())) setMembers([...members, username]);
    setTyped('');
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    // Without a name chat-api names the group after its members.
    const problem = name.trim() === '' ? undefined : sessionNameProblem(name);
    if (problem !== undefined) {
      setError(problem);
      return;
    }
    // A name still in the field counts as added: people expect what they see to be used.
    const all = typed.trim() === '' ? members : [...members, typed.trim()];
    setBusy(true);
    setError(undefined);
    try {
      onCreated(await chat.sessions.createGroup(name, visibility, all));
    } catch (failure) {
      setError(describeError(failure));
      setBusy(false);
    }
  };

  return (
    <Dialog title="New group" onClose={onClose}>
      <form class="stack" onSubmit={submit}>
        <label class="field">
          <span>Name</span>
          <input
            value={name}
            maxLength={100}
            placeholder="Optional: named after its members"
            onInput={(event) => setName(event.currentTarget.value)}
          />
        </label>
        <fieldset class="choice">
          <legend>Who can find it</legend>
          {VISIBILITIES.map(([value, label]) => (
            <label key={value}>
              <input
                type="radio"
                name="visibility"
                checked={visibility === value}
                onChange={() => setVisibility(value)}
              />
              {label}
            </label>
          ))}
        </fieldset>
        <UserPicker label="Add people" value={typed} onInput={setTyped} onPick={add} exclude={members} />
        {members.length > 0 && (
          <ul class="chips" aria-label="People to add">
            {members.map((member) => (
              <li key={member} class="chip">
                {member}
                <button
                  type="button"
                  aria-label={`Remove ${member}`}
                  onClick={() => setMembers(members.filter((other) => other !== member))}
                >
                  ×
                </button>
              </li>
            ))}
          </ul>
        )}
        <DialogActions error={error} busy={busy} submitLabel="Create group" onCancel={onClose} />
      </form>
    </Dialog>
  );
}
