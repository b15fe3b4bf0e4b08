import { useEffect, useState } from 'preact/hooks';
import type { User } from '../api/types.ts';
import { ChatClient } from '../app/chat-client.ts';
import type { Credentials } from '../auth/credentials.ts';
import { AuthPage } from './AuthPage.tsx';
import { ChatShell } from './ChatShell.tsx';
import { ChatContext } from './chat-context.ts';

/** The login page or the chat, following the login in this tab and every other. */
export function App({ credentials }: { credentials: Credentials }) {
  const [user, setUser] = useState<User | undefined>(credentials.user);
  const [notice, setNotice] = useState<string | undefined>(undefined);
  const [client, setClient] = useState<ChatClient | undefined>(undefined);

  useEffect(
    () =>
      credentials.onChange((change) => {
        if (change.kind === 'signed-out') {
          setUser(undefined);
          setNotice(change.expired ? 'You were signed out. Please log in again.' : undefined);
        } else if (change.kind === 'signed-in') {
          setUser(change.auth.user);
        }
      }),
    [credentials],
  );

  useEffect(() => {
    if (user === undefined) {
      setClient(undefined);
      return;
    }
    const chat = new ChatClient(credentials, user);
    setClient(chat);
    return () => chat.stop();
  }, [credentials, user]);

  if (user === undefined || client === undefined) {
    return user === undefined ? <AuthPage credentials={credentials} notice={notice} /> : null;
  }
  return (
    <ChatContext.Provider value={client}>
      <ChatShell
        account={{ logout: () => credentials.logout(), logoutEverywhere: () => credentials.logoutEverywhere() }}
      />
    </ChatContext.Provider>
  );
}
