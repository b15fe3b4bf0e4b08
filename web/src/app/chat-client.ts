import { ChatApi } from '../api/chat-api.ts';
import type { Message, User } from '../api/types.ts';
import type { Credentials } from '../auth/credentials.ts';
import { GapFiller } from '../live/gap-filler.ts';
import { SocketClient } from '../live/socket-client.ts';
import { type ChatState, initialChatState } from '../state/chat-state.ts';
import { Conversations } from '../state/conversations.ts';
import { LiveUpdates } from '../state/live-updates.ts';
import { MessageActions } from '../state/message-actions.ts';
import { MessageSearch } from '../state/message-search.ts';
import { PresenceTracker } from '../state/presence-tracker.ts';
import { ReadMarkers } from '../state/read-markers.ts';
import { SessionActions } from '../state/session-actions.ts';
import { Store } from '../state/store.ts';
import { Threads } from '../state/threads.ts';
import { Typing } from '../state/typing.ts';
import { pathOfSession, sessionIdOfPath } from './route.ts';

/** The gateway's WebSocket on this origin (WEBSOCKET.md: path `/ws`). */
function socketUrl(): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws`;
}

/**
 * One logged-in user's chat: the state the screens show, the actions they call, and the live
 * connection feeding both. Made at login, stopped at logout.
 */
export class ChatClient {
  readonly store: Store<ChatState>;
  readonly conversations: Conversations;
  readonly sessions: SessionActions;
  readonly messages: MessageActions;
  readonly threads: Threads;
  readonly search: MessageSearch;
  readonly readMarkers: ReadMarkers;
  readonly typing: Typing;
  readonly presence: PresenceTracker;
  readonly #socket: SocketClient;
  readonly #gaps: GapFiller;
  readonly #cleanups: (() => void)[] = [];
  #jumps = 0;

  constructor(credentials: Credentials, me: User) {
    const api = new ChatApi(credentials);
    this.store = new Store(initialChatState(me, sessionIdOfPath(location.pathname)));
    this.conversations = new Conversations(this.store, api);
    this.presence = new PresenceTracker(this.store, api);
    this.sessions = new SessionActions(this.store, api, this.conversations, this.presence);
    this.messages = new MessageActions(this.store, api);
    this.threads = new Threads(this.store, api);
    this.search = new MessageSearch(this.store, api);
    this.readMarkers = new ReadMarkers(this.store, api);
    this.typing = new Typing(this.store, api);
    this.#gaps = new GapFiller({
      refreshSessions: () => this.sessions.refresh(),
      loadedSessions: () => this.conversations.loadedIds(),
      catchUp: (id) => this.conversations.catchUp(id),
      onFilled: () => this.store.update((state) => ({ ...state, catchUps: state.catchUps + 1 })),
    });
    const live = new LiveUpdates({
      store: this.store,
      conversations: this.conversations,
      sessions: this.sessions,
      messages: this.messages,
      typing: this.typing,
      presence: this.presence,
      onReady: () => {
        this.#gaps.afterReady();
        this.presence.afterReady();
      },
    });
    this.#socket = new SocketClient({
      url: socketUrl(),
      token: (rejected) =>
        rejected === undefined ? credentials.accessToken() : credentials.renewAfterRejection(rejected),
      onFrame: (frame) => live.apply(frame),
      onState: (connection) => this.store.update((state) => ({ ...state, connection })),
    });
    this.#cleanups.push(
      credentials.onChange((change) => {
        if (change.kind === 'renewed') this.#socket.renewToken(change.auth.accessToken);
      }),
    );
    this.#syncAddress();

    void this.sessions.refresh();
    const { openId } = this.store.get();
    if (openId !== undefined) void this.conversations.load(openId);
  }

  /** Shows a session (or, with `undefined`, the list), as a new entry in the browser's history. */
  open(id: string | undefined): void {
    if (location.pathname !== pathOfSession(id)) history.pushState(null, '', pathOfSession(id));
    this.#show(id);
  }

  /**
   * Shows a message found by search in its session, scrolled to and marked: a reply in its thread's
   * panel, any other message in the conversation, paging back through history until it is there.
   */
  async jumpTo(message: Message): Promise<void> {
    const sessionId = message.session_id;
    this.open(sessionId);
    const highlight = { sessionId, messageId: message.id, seq: ++this.#jumps };
    this.store.update((state) => ({ ...state, highlight }));
    const found =
      message.reply_to === null
        ? await this.conversations.reveal(sessionId, message.id)
        : await this.threads.open(sessionId, message.reply_to).then(() => this.threads.reveal(message.id));
    if (!found && this.store.get().highlight === highlight) {
      this.store.update((state) => ({ ...state, notice: 'That message is too far back in the conversation to show.' }));
    }
  }

  /** Hides the notice on screen. */
  dismissNotice(): void {
    this.store.update(({ notice: _notice, ...state }) => state);
  }

  stop(): void {
    this.#socket.stop();
    this.#gaps.stop();
    this.readMarkers.stop();
    this.typing.stop();
    this.presence.stop();
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
  }

  #show(id: string | undefined): void {
    this.store.update(({ notice: _notice, highlight: _highlight, thread, ...state }) => ({
      ...state,
      openId: id,
      // The thread panel belongs to its session's conversation.
      ...(thread !== undefined && thread.sessionId === id ? { thread } : {}),
    }));
    if (id !== undefined) void this.conversations.load(id);
  }

  /** Keeps the address bar and the session on screen in step, both ways. */
  #syncAddress(): void {
    const onPopState = () => this.#show(sessionIdOfPath(location.pathname));
    window.addEventListener('popstate', onPopState);
    this.#cleanups.push(() => window.removeEventListener('popstate', onPopState));
    this.#cleanups.push(
      this.store.subscribe((state) => {
        // A session closed by the app itself (left, deleted): the address follows without a new entry.
        if (state.openId === undefined && sessionIdOfPath(location.pathname) !== undefined) {
          history.replaceState(null, '', pathOfSession(undefined));
        }
      }),
    );
  }
}
