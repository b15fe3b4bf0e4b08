/** What {@link GapFiller} refreshes. */
export interface GapFillerDeps {
  /** Reloads the session list (order, last messages, unread counts). */
  readonly refreshSessions: () => Promise<void>;
  /** Sessions whose history is loaded. */
  readonly loadedSessions: () => readonly string[];
  /** Fetches what a loaded session got after its newest message held, and merges it by id. */
  readonly catchUp: (sessionId: string) => Promise<void>;
  /** Called after each fill. */
  readonly onFilled: () => void;
}

/**
 * How long after `ready` the gap is asked for a second time: what was published just before
 * `ready` reaches history once the persister has stored it, well under a second (WEBSOCKET.md).
 */
const RECHECK_AFTER_MS = 1500;

/**
 * Fills what a connection missed, after each `ready` (WEBSOCKET.md "Not losing messages across a
 * reconnect"): everything published from `ready` on arrives on the socket; everything before it is
 * asked of chat-api at once and once more a moment later, and merged by id, so nothing is missed
 * and nothing shown twice.
 */
export class GapFiller {
  readonly #deps: GapFillerDeps;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #round = 0;

  constructor(deps: GapFillerDeps) {
    this.#deps = deps;
  }

  /** The gateway said `ready`. */
  afterReady(): void {
    const round = ++this.#round;
    clearTimeout(this.#timer);
    void this.#fill().finally(() => {
      if (round !== this.#round) return;
      this.#timer = setTimeout(() => void this.#fill(), RECHECK_AFTER_MS);
    });
  }

  stop(): void {
    this.#round += 1;
    clearTimeout(this.#timer);
  }

  async #fill(): Promise<void> {
    const round = this.#round;
    await Promise.all([
      this.#deps.refreshSessions(),
      // A session that cannot be caught up now is caught up on the next `ready` or recheck.
      ...this.#deps.loadedSessions().map((id) => this.#deps.catchUp(id).catch(() => undefined)),
    ]);
    if (round === this.#round) this.#deps.onFilled();
  }
}
