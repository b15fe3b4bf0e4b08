import type { ChatApi } from '../api/chat-api.ts';
import type { Presence, SessionDetail } from '../api/types.ts';
import { batches } from '../lib/batches.ts';
import type { ChatState } from './chat-state.ts';
import { answeredPresence, heardPresence, peerOfLastMessage, peerOfMembers, presenceOfMembers } from './presence.ts';
import type { Store } from './store.ts';

/** The chat-api routes the tracker asks. */
export type PresenceApi = Pick<ChatApi, 'presence' | 'session'>;

/** HTTP.md: one `GET /api/presence` names 1 to 200 users. */
export const PRESENCE_BATCH = 200;
/** Direct sessions whose members are asked for at once, to find their other user. */
const DETAIL_CONCURRENCY = 4;

/**
 * Who is online, of the users the screens show: each direct chat's other user, and the members of
 * the session whose details are open. Their state comes from chat-api (a session's members, and
 * `GET /api/presence` in batches) and is kept current by `presence` events; after every `ready`
 * it is asked for again, since events may have been missed while the socket was down.
 *
 * chat-api's `Session` does not name a direct chat's other user: the last message does when they
 * wrote it, otherwise the session's members are asked for, a few sessions at a time, once per page.
 */
export class PresenceTracker {
  readonly #store: Store<ChatState>;
  readonly #api: PresenceApi;
  /** Orders what was learned: one tick per question, answer and event. */
  #clock = 0;
  /** The tick of the last `ready`: what was learned before it may be out of date. */
  #readyAt = 0;
  /** Users learned about since the last `ready` (an answer, even one that left them out, or an event). */
  readonly #fresh = new Set<string>();
  /** Users a question is out for. */
  readonly #asking = new Set<string>();
  /** Users a view shows besides direct chats' (an open session's members), with how many views show them. */
  readonly #watched = new Map<string, number>();
  /** Direct sessions waiting for their members, oldest first. */
  readonly #queued: string[] = [];
  /** Direct sessions whose members are being fetched. */
  readonly #resolving = new Set<string>();
  /** Direct sessions whose members could not be had: not asked for again until the next `ready`. */
  readonly #failed = new Set<string>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;
  readonly #unsubscribe: () => void;

  constructor(store: Store<ChatState>, api: PresenceApi) {
    this.#store = store;
    this.#api = api;
    let sessions = store.get().sessions;
    this.#unsubscribe = store.subscribe((state) => {
      if (state.sessions === sessions) return;
      sessions = state.sessions;
      this.#schedule();
    });
  }

  /** The gateway said `ready`: everything known may have changed unheard while the socket was down. */
  afterReady(): void {
    this.#readyAt = this.#tick();
    this.#fresh.clear();
    this.#failed.clear();
    this.#schedule();
  }

  /** A `presence` event. */
  heard(event: { readonly user_id: string; readonly online: boolean; readonly last_seen_at: string | null }): void {
    const user: Presence = { id: event.user_id, online: event.online, last_seen_at: event.last_seen_at };
    const learnedAt = this.#tick();
    this.#store.update((state) => ({ ...state, presence: heardPresence(state.presence, user, learnedAt) }));
    this.#fresh.add(user.id);
  }

  /**
   * Loads a session's detail through `load`, learning its members' presence (and, for a direct
   * session, who its other user is) from the answer.
   */
  async detail(load: () => Promise<SessionDetail>): Promise<SessionDetail> {
    const askedAt = this.#tick();
    const detail = await load();
    if (this.#stopped) return detail;
    this.#learn(presenceOfMembers(detail.members), [], askedAt);
    if (detail.kind === 'direct') {
      const peer = peerOfMembers(detail.members, this.#store.get().me.id);
      this.#store.update((state) =>
        state.directPeers[detail.id] === peer
          ? state
          : { ...state, directPeers: { ...state.directPeers, [detail.id]: peer } },
      );
    }
    return detail;
  }

  /** Keeps `userIds` known (asked for after each `ready`) until the returned function is called. */
  watch(userIds: readonly string[]): () => void {
    for (const id of userIds) this.#watched.set(id, (this.#watched.get(id) ?? 0) + 1);
    this.#schedule();
    return () => {
      for (const id of userIds) {
        const count = (this.#watched.get(id) ?? 0) - 1;
        if (count > 0) this.#watched.set(id, count);
        else this.#watched.delete(id);
      }
    };
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#unsubscribe();
  }

  #tick(): number {
    this.#clock += 1;
    return this.#clock;
  }

  /** Runs {@link #update} soon, once for everything that asked for it meanwhile (a store listener must not update the store). */
  #schedule(): void {
    if (this.#stopped || this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (!this.#stopped) this.#update();
    }, 0);
  }

  /** Finds direct chats' other users, and asks about every shown user not known since the last `ready`. */
  #update(): void {
    const { sessions, directPeers, me } = this.#store.get();
    const found: Record<string, string> = {};
    for (const session of sessions) {
      if (session.kind !== 'direct' || session.id in directPeers) continue;
      const peer = peerOfLastMessage(session, me.id);
      if (peer !== undefined) found[session.id] = peer;
      else this.#resolve(session.id);
    }
    if (Object.keys(found).length > 0) {
      this.#store.update((state) => ({ ...state, directPeers: { ...state.directPeers, ...found } }));
    }
    const shown = new Set([...Object.values(this.#store.get().directPeers), ...this.#watched.keys()]);
    const wanted = [...shown].filter(
      (id): id is string => id !== null && !this.#fresh.has(id) && !this.#asking.has(id),
    );
    for (const batch of batches(wanted, PRESENCE_BATCH)) void this.#ask(batch);
  }

  async #ask(userIds: readonly string[]): Promise<void> {
    for (const id of userIds) this.#asking.add(id);
    const askedAt = this.#tick();
    try {
      const users = await this.#api.presence(userIds);
      if (!this.#stopped) this.#learn(users, userIds, askedAt);
    } catch {
      // Asked again when the sessions change or at the next `ready`; until then the screens show nothing.
    } finally {
      for (const id of userIds) this.#asking.delete(id);
    }
  }

  /**
   * Takes an answer to a question asked at `askedAt`: `users` as it gives them, and `asked` (and
   * `users`) as known, so a user left out is not asked about again, unless a `ready` came since the
   * question: then they are asked again.
   */
  #learn(users: readonly Presence[], asked: readonly string[], askedAt: number): void {
    const learnedAt = this.#tick();
    this.#store.update((state) => ({
      ...state,
      presence: answeredPresence(state.presence, users, askedAt, learnedAt),
    }));
    if (askedAt < this.#readyAt) {
      this.#schedule();
      return;
    }
    for (const id of asked) this.#fresh.add(id);
    for (const user of users) this.#fresh.add(user.id);
  }

  /** Fetches a direct session's members, a few sessions at a time, to find its other user. */
  #resolve(sessionId: string): void {
    if (this.#resolving.has(sessionId) || this.#failed.has(sessionId) || this.#queued.includes(sessionId)) return;
    this.#queued.push(sessionId);
    this.#pump();
  }

  #pump(): void {
    while (!this.#stopped && this.#resolving.size < DETAIL_CONCURRENCY) {
      const id = this.#queued.shift();
      if (id === undefined) return;
      this.#resolving.add(id);
      this.detail(() => this.#api.session(id))
        .catch(() => this.#failed.add(id))
        .finally(() => {
          this.#resolving.delete(id);
          this.#pump();
        });
    }
  }
}
