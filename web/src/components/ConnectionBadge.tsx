import type { ConnectionState } from '../live/socket-client.ts';
import { useChatState } from './chat-context.ts';

const LABELS: Record<ConnectionState, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
};

/** Whether messages arrive live right now. */
export function ConnectionBadge() {
  const connection = useChatState((state) => state.connection);
  const catchUps = useChatState((state) => state.catchUps);
  return (
    <span
      class="connection"
      data-testid="connection"
      data-state={connection}
      data-catch-ups={catchUps}
      role="status"
      aria-live="polite"
    >
      <span class="connection-dot" aria-hidden="true" />
      {LABELS[connection]}
    </span>
  );
}
