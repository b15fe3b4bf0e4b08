import { EventEmitter } from 'node:events';
import type { Logger } from '@warren/shared/logging';
import type { Caller } from '../sessions/caller.ts';
import type { KnownUser, UserStore, UserSummary } from '../stores/user-store.ts';

/** Events of {@link UserDirectory}. */
export interface UserDirectoryEvents {
  /** A user was written to the copy (tests await it). */
  remembered: [user: UserSummary];
}

/** How many callers {@link UserDirectory.rememberCaller} keeps in memory before it starts over. */
const CALLER_CACHE_SIZE = 100_000;

/**
 * chat-api's copy of users (`chat.users`): fed by `user.registered` and filled in from the token of
 * any caller it has not heard of, so members can be added by username and sessions can name them.
 *
 * A username belongs to the newest user auth announced with it. auth commits a user only after the
 * broker confirmed its event, so a commit failing after the confirm can leave an event for a user
 * that does not exist, whose name someone may register again: the older holder is then dropped.
 */
export class UserDirectory extends EventEmitter<UserDirectoryEvents> {
  readonly #store: UserStore;
  readonly #log: Logger;
  /** `<id> <username>` of callers already in the copy, so a request is not a database write. */
  readonly #knownCallers = new Set<string>();

  constructor(store: UserStore, logger: Logger) {
    super();
    this.#store = store;
    this.#log = logger.child({ module: 'user-directory' });
  }

  /** Adds or refreshes a user; a newer holder of the same username wins over it. */
  async remember(user: KnownUser): Promise<void> {
    if (!(await this.#store.remember(user))) {
      this.#log.warn({ userId: user.id, username: user.username }, 'a newer user holds this username: ignored');
      return;
    }
    this.emit('remembered', { id: user.id, username: user.username });
  }

  /** Makes sure the caller is in the copy: a database write only the first time this process sees them. */
  async rememberCaller(caller: Caller): Promise<void> {
    const key = `${caller.id} ${caller.username}`;
    if (this.#knownCallers.has(key)) return;
    await this.remember({ ...caller, createdAt: new Date() });
    if (this.#knownCallers.size >= CALLER_CACHE_SIZE) this.#knownCallers.clear();
    this.#knownCallers.add(key);
  }

  /** A user by username, ASCII letters in either case. */
  findByUsername(username: string): Promise<UserSummary | undefined> {
    return this.#store.findByUsername(username);
  }

  /** The users of these usernames (ASCII letters in either case), and the usernames no user has. */
  findByUsernames(usernames: readonly string[]): Promise<{ found: UserSummary[]; missing: string[] }> {
    return this.#store.findByUsernames(usernames);
  }

  /** Up to `limit` users whose username starts with `prefix`, ASCII letters in either case, by username. */
  search(prefix: string, limit: number): Promise<UserSummary[]> {
    return this.#store.search(prefix, limit);
  }
}
