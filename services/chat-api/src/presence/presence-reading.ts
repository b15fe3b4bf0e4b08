import type { Presence } from '@warren/shared/contract';
import type { PresenceStore } from '../stores/presence-store.ts';

/** `GET /api/presence`: what the caller may know of who is online. */
export class PresenceReading {
  readonly #store: PresenceStore;

  constructor(store: PresenceStore) {
    this.#store = store;
  }

  /**
   * The presence of those of `userIds` who share a session with the caller; the others are left
   * out, so asking tells nothing of strangers, not even whether they exist.
   */
  of(callerId: string, userIds: readonly string[]): Promise<Presence[]> {
    return this.#store.visibleTo(callerId, userIds);
  }
}
