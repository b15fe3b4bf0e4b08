import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { ChatClient } from '../app/chat-client.ts';
import type { ChatState } from '../state/chat-state.ts';
import { useStore } from '../state/store.ts';

/** The logged-in user's chat, for every component under the chat screens. */
export const ChatContext = createContext<ChatClient | undefined>(undefined);

/** The chat of the logged-in user. */
export function useChat(): ChatClient {
  const client = useContext(ChatContext);
  if (client === undefined) throw new Error('useChat outside ChatContext');
  return client;
}

/** A part of the chat state; the component re-renders when it changes. */
export function useChatState<S>(select: (state: ChatState) => S): S {
  return useStore(useChat().store, select);
}
