import type { Membership } from '../membership.ts';
import type { MessageHistory } from '../message-history.ts';
import type { MessagePosting } from '../message-posting.ts';
import type { PostRateLimit } from '../post-rate-limit.ts';
import type { ReadMarkers } from '../read-markers.ts';
import type { SessionAccess } from '../session-access.ts';
import type { SessionEvents } from '../session-events.ts';
import type { SessionLifecycle } from '../session-lifecycle.ts';
import type { SessionViews } from '../session-views.ts';
import type { TypingThrottle } from '../typing-throttle.ts';
import type { UserDirectory } from '../user-directory.ts';

/** What the API routes work with, made once by the service. */
export interface RouteDeps {
  access: SessionAccess;
  views: SessionViews;
  history: MessageHistory;
  users: UserDirectory;
  lifecycle: SessionLifecycle;
  membership: Membership;
  posting: MessagePosting;
  readMarkers: ReadMarkers;
  events: SessionEvents;
  postRateLimit: PostRateLimit;
  typingThrottle: TypingThrottle;
}
