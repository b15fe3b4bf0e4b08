import type { UserPresence } from '../state/presence.ts';
import { useChatState } from './chat-context.ts';

/** What is known of a user's presence (`undefined` for nobody, or not known yet). */
export function usePresence(userId: string | null | undefined): UserPresence | undefined {
  return useChatState((state) => (userId === null || userId === undefined ? undefined : state.presence[userId]));
}

/** The other user of a direct session, once known. */
export function useDirectPeer(sessionId: string): string | null | undefined {
  return useChatState((state) => state.directPeers[sessionId]);
}
