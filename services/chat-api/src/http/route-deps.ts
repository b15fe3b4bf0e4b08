import type { HistoryReading } from '../messages/history-reading.ts';
import type { MessageChanges } from '../messages/message-changes.ts';
import type { MessagePosting } from '../messages/message-posting.ts';
import type { MessageSearch } from '../messages/message-search.ts';
import type { PostRateLimit } from '../messages/post-rate-limit.ts';
import type { PresenceReading } from '../presence/presence-reading.ts';
import type { Membership } from '../sessions/membership.ts';
import type { ReadMarkers } from '../sessions/read-markers.ts';
import type { SessionAccess } from '../sessions/session-access.ts';
import type { SessionLifecycle } from '../sessions/session-lifecycle.ts';
import type { SessionViews } from '../sessions/session-views.ts';
import type { TypingIndicator } from '../sessions/typing-indicator.ts';
import type { UserDirectory } from '../users/user-directory.ts';

/** The use cases the API routes call, made once by the service; no store, no database. */
export interface RouteDeps {
  access: SessionAccess;
  views: SessionViews;
  reading: HistoryReading;
  users: UserDirectory;
  lifecycle: SessionLifecycle;
  membership: Membership;
  posting: MessagePosting;
  changes: MessageChanges;
  readMarkers: ReadMarkers;
  postRateLimit: PostRateLimit;
  typing: TypingIndicator;
  search: MessageSearch;
  presence: PresenceReading;
}
