import { useCallback, useRef, useState } from 'preact/hooks';
import { describeError } from '../api/describe-error.ts';
import { useDismiss } from './use-dismiss.ts';

/** Signing out, as the account menu offers it; both end at the sign-in page. */
export interface AccountActions {
  /** Signs out this browser (every tab of it). */
  readonly logout: () => Promise<void>;
  /** Signs out every browser and device the user is logged in on; rejects if auth could not do it. */
  readonly logoutEverywhere: () => Promise<void>;
}

/** The signed-in user's name, opening a menu to log out here or everywhere. */
export function AccountMenu({ username, account }: { username: string; account: AccountActions }) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const ref = useRef<HTMLDivElement>(null);
  const close = useCallback(() => setOpen(false), []);
  useDismiss(ref, open, close);

  const everywhere = async () => {
    setBusy(true);
    setError(undefined);
    try {
      // On success the app shows the sign-in page and this menu is gone.
      await account.logoutEverywhere();
    } catch (failure) {
      setError(`Could not log out everywhere: ${describeError(failure)}`);
      setBusy(false);
    }
  };

  return (
    <div ref={ref} class="account">
      <button
        type="button"
        class="account-button"
        aria-haspopup="menu"
        aria-expanded={open}
        onClick={() => setOpen((current) => !current)}
      >
        <span class="muted">Signed in as</span> <strong data-testid="me">{username}</strong>
        <span class="account-caret" aria-hidden="true">
          ▾
        </span>
      </button>
      {open && (
        <div class="popup account-menu" role="menu" aria-label="Account">
          <button type="button" role="menuitem" disabled={busy} onClick={() => void account.logout()}>
            Log out
          </button>
          <button type="button" role="menuitem" class="danger" disabled={busy} onClick={() => void everywhere()}>
            {busy ? 'Logging out everywhere…' : 'Log out everywhere'}
          </button>
          <p class="account-hint muted">Everywhere: every browser and device you are logged in on.</p>
          {error !== undefined && (
            <p class="error-text" role="alert">
              {error}
            </p>
          )}
        </div>
      )}
    </div>
  );
}
