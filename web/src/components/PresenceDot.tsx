import type { UserPresence } from '../state/presence.ts';

/**
 * A dot, green while someone is online and grey otherwise; nothing while their presence is not
 * known. Decorative: the words beside it (or `title`, in the session list) say the same.
 */
export function PresenceDot({ presence }: { presence: UserPresence | undefined }) {
  if (presence === undefined) return null;
  return <span class="presence-dot" data-online={String(presence.online)} aria-hidden="true" />;
}
