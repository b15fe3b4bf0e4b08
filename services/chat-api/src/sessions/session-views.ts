import { ChatApiErrors } from '../errors.ts';
import type { MemberStore, MemberView } from '../stores/member-store.ts';
import type { SessionView, SessionViewStore } from '../stores/session-view-store.ts';

/** What {@link SessionViews} reads. */
export interface SessionViewsDeps {
  views: SessionViewStore;
  members: MemberStore;
}

/** The read side of sessions: what the routes answer. */
export class SessionViews {
  readonly #deps: SessionViewsDeps;

  constructor(deps: SessionViewsDeps) {
    this.#deps = deps;
  }

  /** The caller's sessions, most recently bumped first. */
  listOf(callerId: string): Promise<SessionView[]> {
    return this.#deps.views.listOf(callerId);
  }

  /**
   * One session as the caller sees it, once `SessionAccess` has let them (or just after they
   * changed it), whether or not they are a member.
   * @throws SESSION_NOT_FOUND (404) when it was deleted meanwhile.
   */
  async get(callerId: string, sessionId: string): Promise<SessionView> {
    const view = await this.#deps.views.find(callerId, sessionId);
    if (view === undefined) throw new ChatApiErrors.sessionNotFound(`no session ${sessionId}`);
    return view;
  }

  /**
   * One session with its members (the detail route), once `SessionAccess` has let the caller see it.
   * @throws SESSION_NOT_FOUND (404) when it was deleted meanwhile.
   */
  async detail(callerId: string, sessionId: string): Promise<SessionView & { members: MemberView[] }> {
    const view = await this.get(callerId, sessionId);
    return { ...view, members: await this.#deps.members.list(sessionId) };
  }

  /** Public sessions whose name contains `text`, as the caller sees them (`SessionViewStore.searchPublic`). */
  searchPublic(callerId: string, text: string): Promise<(SessionView & { is_member: boolean })[]> {
    return this.#deps.views.searchPublic(callerId, text);
  }
}
