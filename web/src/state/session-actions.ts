import type { ChatApi } from '../api/chat-api.ts';
import { describeError } from '../api/describe-error.ts';
import type { SearchHit, Session, SessionDetail } from '../api/types.ts';
import type { ChatState } from './chat-state.ts';
import type { Conversations } from './conversations.ts';
import type { PresenceTracker } from './presence-tracker.ts';
import { mergeLoadedSessions, removeSession, upsertSession } from './session-list.ts';
import type { Store } from './store.ts';

/** The session list and what the user does to sessions. Each action throws ApiError when refused. */
export class SessionActions {
  readonly #store: Store<ChatState>;
  readonly #api: ChatApi;
  readonly #conversations: Conversations;
  readonly #presence: PresenceTracker;

  constructor(store: Store<ChatState>, api: ChatApi, conversations: Conversations, presence: PresenceTracker) {
    this.#store = store;
    this.#api = api;
    this.#conversations = conversations;
    this.#presence = presence;
  }

  /**
   * Loads the list from chat-api, whose order and unread counts are the truth up to what it has
   * stored (merged with what arrived live since: see {@link mergeLoadedSessions}). The session on
   * screen keeps 0 unread: its read marker is on its way.
   */
  async refresh(): Promise<void> {
    try {
      const sessions = await this.#api.sessions();
      this.#store.update((state) => ({
        ...state,
        sessions: mergeLoadedSessions(sessions, state.sessions).map((session) =>
          session.id === state.openId && document.visibilityState === 'visible'
            ? { ...session, unread_count: 0 }
            : session,
        ),
        sessionsLoaded: true,
        sessionsError: undefined,
      }));
    } catch (error) {
      this.#store.update((state) => ({ ...state, sessionsError: describeError(error) }));
    }
  }

  /** Adds (or updates) one session from chat-api: one the user was just added to. */
  async fetch(id: string): Promise<void> {
    const { members: _members, ...session } = await this.detail(id);
    this.#put(session);
  }

  /** The session with its members (and whether each is online), for its settings. */
  detail(id: string): Promise<SessionDetail> {
    return this.#presence.detail(() => this.#api.session(id));
  }

  /** Makes a group; resolves with its id. */
  async createGroup(name: string, visibility: Session['visibility'], members: string[]): Promise<string> {
    const trimmed = name.trim();
    return this.#put(
      await this.#api.createGroup({ ...(trimmed === '' ? {} : { name: trimmed }), visibility, members }),
    );
  }

  /** Opens (making it on first use) the direct session with someone; resolves with its id. */
  async startDirect(username: string): Promise<string> {
    return this.#put(await this.#api.direct(username.trim()));
  }

  searchPublic(query: string): Promise<SearchHit[]> {
    return this.#api.searchPublic(query.trim());
  }

  /** Usernames starting with `prefix`, for suggestions. */
  suggestUsers(prefix: string): Promise<{ id: string; username: string }[]> {
    return this.#api.users(prefix.trim());
  }

  async join(id: string): Promise<string> {
    return this.#put(await this.#api.join(id));
  }

  async leave(id: string): Promise<void> {
    await this.#api.leave(id);
    this.gone(id);
  }

  async rename(id: string, name: string): Promise<void> {
    this.#put(await this.#api.update(id, { name: name.trim() }));
  }

  async setVisibility(id: string, visibility: Session['visibility']): Promise<void> {
    this.#put(await this.#api.update(id, { visibility }));
  }

  async remove(id: string): Promise<void> {
    await this.#api.remove(id);
    this.gone(id);
  }

  async addMember(id: string, username: string): Promise<void> {
    this.#put(await this.#api.addMember(id, username.trim()));
  }

  /** The user is no longer in a session: it leaves the list, and the screen if it was open. */
  gone(id: string, notice?: string): void {
    this.#conversations.forget(id);
    this.#store.update((state) => ({
      ...state,
      sessions: removeSession(state.sessions, id),
      ...(state.openId === id ? { openId: undefined, ...(notice === undefined ? {} : { notice }) } : {}),
    }));
  }

  #put(session: Session): string {
    this.#store.update((state) => ({ ...state, sessions: upsertSession(state.sessions, session) }));
    return session.id;
  }
}
