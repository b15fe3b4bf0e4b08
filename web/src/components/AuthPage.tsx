import { useState } from 'preact/hooks';
import { describeError } from '../api/describe-error.ts';
import type { Credentials } from '../auth/credentials.ts';
import { passwordProblem, usernameProblem } from '../lib/validation.ts';
import { Brand } from './Brand.tsx';
import { ErrorText } from './ErrorText.tsx';

/** Log in, or create an account and log in. */
export function AuthPage({ credentials, notice }: { credentials: Credentials; notice: string | undefined }) {
  const [mode, setMode] = useState<'login' | 'register'>('login');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const registering = mode === 'register';

  const submit = async (event: Event) => {
    event.preventDefault();
    const problem = registering ? (usernameProblem(username) ?? passwordProblem(password)) : undefined;
    if (problem !== undefined) {
      setError(problem);
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      if (registering) await credentials.register(username, password);
      else await credentials.login(username, password);
    } catch (failure) {
      setError(describeError(failure));
      setBusy(false);
    }
  };

  return (
    <main class="auth-page">
      <div class="auth-card">
        <Brand />
        <h1>{registering ? 'Create your account' : 'Welcome back'}</h1>
        <p class="muted">{registering ? 'Pick a username and a password.' : 'Log in to pick up where you left off.'}</p>
        {notice !== undefined && !registering && <p class="notice">{notice}</p>}
        <form onSubmit={submit} class="stack">
          <label class="field">
            <span>Username</span>
            <input
              name="username"
              autocomplete="username"
              autocapitalize="none"
              spellcheck={false}
              required
              value={username}
              onInput={(event) => setUsername(event.currentTarget.value)}
            />
          </label>
          <label class="field">
            <span>Password</span>
            <input
              name="password"
              type="password"
              autocomplete={registering ? 'new-password' : 'current-password'}
              required
              value={password}
              onInput={(event) => setPassword(event.currentTarget.value)}
            />
            {registering && <small class="muted">At least 8 characters.</small>}
          </label>
          <ErrorText message={error} />
          <button type="submit" class="button primary" disabled={busy}>
            {registering ? 'Create account' : 'Log in'}
          </button>
        </form>
        <p class="switch">
          {registering ? 'Already have an account?' : 'New to Warren?'}{' '}
          <button
            type="button"
            class="link-button"
            onClick={() => {
              setMode(registering ? 'login' : 'register');
              setError(undefined);
            }}
          >
            {registering ? 'Log in' : 'Create an account'}
          </button>
        </p>
      </div>
    </main>
  );
}
