import { useEffect, useState } from 'preact/hooks';
import { describeError } from '../api/describe-error.ts';
import type { Member, SessionDetail } from '../api/types.ts';
import { PRESENCE_TICK_MS, presenceLabel } from '../lib/presence-label.ts';
import { sessionNameProblem } from '../lib/validation.ts';
import { displayName } from '../state/session-list.ts';
import { Avatar } from './Avatar.tsx';
import { useChat, useChatState } from './chat-context.ts';
import { Dialog } from './Dialog.tsx';
import { ErrorText } from './ErrorText.tsx';
import { PresenceDot } from './PresenceDot.tsx';
import { UserPicker } from './UserPicker.tsx';
import { useNow } from './use-now.ts';
import { usePresence } from './use-presence.ts';

/** One member in the list: name, role, and whether they are online (kept current by events). */
function MemberRow({ member, me, now }: { member: Member; me: boolean; now: number }) {
  const presence = usePresence(member.user.id);
  return (
    <li class="member" data-user-id={member.user.id}>
      <span class="avatar-with-presence">
        <Avatar name={member.user.username} />
        <PresenceDot presence={presence} />
      </span>
      <span class="grow member-text">
        <span>
          {member.user.username}
          {me && <span class="muted"> (you)</span>}
        </span>
        {presence !== undefined && (
          <span class="muted member-presence" data-testid="presence" data-online={String(presence.online)}>
            {presenceLabel(presence, now)}
          </span>
        )}
      </span>
      {member.role === 'owner' && <span class="tag">owner</span>}
    </li>
  );
}

/** A session's members and settings: rename, visibility and delete for its owner; add people; leave. */
export function SessionDetails({ sessionId, onClose }: { sessionId: string; onClose: () => void }) {
  const chat = useChat();
  const me = useChatState((state) => state.me);
  // Reloaded whenever the session changes (renamed, someone joined or left).
  const version = useChatState((state) => state.sessions.find((session) => session.id === sessionId)?.version);
  const [detail, setDetail] = useState<SessionDetail | undefined>(undefined);
  const [name, setName] = useState('');
  const [adding, setAdding] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const now = useNow(PRESENCE_TICK_MS);

  // Every change to a session (renamed, made public, someone added) raises its version, whether
  // made here or arriving as an event: the details load again then.
  useEffect(() => {
    chat.sessions.detail(sessionId).then(
      (loaded) => {
        setDetail(loaded);
        setName(loaded.name ?? '');
      },
      (failure: unknown) => setError(describeError(failure)),
    );
  }, [chat, sessionId, version]);

  // Its members' presence is asked for again after a reconnect while the details are open.
  useEffect(
    () => (detail === undefined ? undefined : chat.presence.watch(detail.members.map((m) => m.user.id))),
    [chat, detail],
  );

  const act = async (action: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await action();
      return true;
    } catch (failure) {
      setError(describeError(failure));
      return false;
    }
  };

  if (detail === undefined) {
    return (
      <Dialog title="Details" onClose={onClose}>
        {error === undefined ? <p class="muted">Loading…</p> : <ErrorText message={error} />}
      </Dialog>
    );
  }

  const owner = detail.owner_id === me.id;
  const group = detail.kind === 'group';
  return (
    <Dialog title={displayName(detail)} onClose={onClose}>
      <div class="stack">
        {owner && group && (
          <form
            class="inline-form"
            onSubmit={async (event) => {
              event.preventDefault();
              const problem = sessionNameProblem(name);
              if (problem !== undefined) setError(problem);
              else await act(() => chat.sessions.rename(sessionId, name));
            }}
          >
            <label class="field grow">
              <span>Name</span>
              <input value={name} maxLength={100} onInput={(event) => setName(event.currentTarget.value)} />
            </label>
            <button type="submit" class="button">
              Rename
            </button>
          </form>
        )}
        {group && (
          <p class="muted">
            {detail.visibility === 'public' ? 'Public: anyone can find and join it.' : 'Private: only people added.'}
            {owner && (
              <>
                {' '}
                <button
                  type="button"
                  class="link-button"
                  onClick={async () => {
                    const visibility = detail.visibility === 'public' ? 'private' : 'public';
                    await act(() => chat.sessions.setVisibility(sessionId, visibility));
                  }}
                >
                  Make it {detail.visibility === 'public' ? 'private' : 'public'}
                </button>
              </>
            )}
          </p>
        )}
        <section>
          <h3 class="section-title">
            {detail.members.length} {detail.members.length === 1 ? 'member' : 'members'}
          </h3>
          <ul class="members">
            {detail.members.map((member) => (
              <MemberRow key={member.user.id} member={member} me={member.user.id === me.id} now={now} />
            ))}
          </ul>
        </section>
        {group && (
          <UserPicker
            label="Add someone"
            value={adding}
            onInput={setAdding}
            exclude={detail.members.map((member) => member.user.username)}
            onPick={async (username) => {
              if (await act(() => chat.sessions.addMember(sessionId, username))) setAdding('');
            }}
          />
        )}
        <ErrorText message={error} />
        <div class="dialog-actions spread">
          <button
            type="button"
            class="button"
            onClick={async () => {
              if (await act(() => chat.sessions.leave(sessionId))) onClose();
            }}
          >
            Leave
          </button>
          {owner && group && (
            <button
              type="button"
              class="button danger"
              onClick={async () => {
                if (!confirmDelete) setConfirmDelete(true);
                else if (await act(() => chat.sessions.remove(sessionId))) onClose();
              }}
            >
              {confirmDelete ? 'Really delete for everyone?' : 'Delete group'}
            </button>
          )}
        </div>
      </div>
    </Dialog>
  );
}
