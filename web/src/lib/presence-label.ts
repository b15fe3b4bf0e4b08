// How a user's presence is put in words.

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
const dateFormat = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric' });

/** How often words like "last seen 5 min ago" on screen are brought up to date. */
export const PRESENCE_TICK_MS = 30_000;

/** What is known of someone's presence: online now, or when their last socket closed. */
export interface PresenceFacts {
  readonly online: boolean;
  readonly last_seen_at: string | null;
}

/**
 * `online`, `last seen just now`, `last seen 5 min ago`, `last seen 3 h ago`, `last seen yesterday`,
 * `last seen 4 days ago`, `last seen on 3 Mar 2026`, or `offline` for someone never seen. A time
 * after `now` (the server's clock ahead of the browser's) counts as just now.
 */
export function presenceLabel(presence: PresenceFacts, now: number = Date.now()): string {
  if (presence.online) return 'online';
  if (presence.last_seen_at === null) return 'offline';
  const seen = Date.parse(presence.last_seen_at);
  if (Number.isNaN(seen)) return 'offline';
  const ago = Math.max(0, now - seen);
  if (ago < MINUTE_MS) return 'last seen just now';
  if (ago < HOUR_MS) return `last seen ${Math.floor(ago / MINUTE_MS)} min ago`;
  if (ago < DAY_MS) return `last seen ${Math.floor(ago / HOUR_MS)} h ago`;
  const days = Math.floor(ago / DAY_MS);
  if (days === 1) return 'last seen yesterday';
  if (days < 7) return `last seen ${days} days ago`;
  return `last seen on ${dateFormat.format(new Date(seen))}`;
}
