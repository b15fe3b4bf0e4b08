import type { Message, ServerFrame, SessionEvent } from '../api/types.ts';
import type { ChatState } from './chat-state.ts';
import type { Conversations } from './conversations.ts';
import type { MessageActions } from './message-actions.ts';
import { changeOfEvent } from './message-changes.ts';
import type { PresenceTracker } from './presence-tracker.ts';
import type { SessionActions } from './session-actions.ts';
import { bumpSession, patchSession } from './session-list.ts';
import type { Store } from './store.ts';
import type { Typing } from './typing.ts';

/** What {@link LiveUpdates} works with. */
export interface LiveUpdatesDeps {
  readonly store: Store<ChatState>;
  readonly conversations: Conversations;
  readonly sessions: SessionActions;
  readonly messages: MessageActions;
  readonly typing: Typing;
  readonly presence: PresenceTracker;
  /** Called on `ready`: the gap since the last connection is to be filled. */
  readonly onReady: () => void;
}

/** Applies the gateway's frames (WEBSOCKET.md) to the state. */
export class LiveUpdates {
  readonly #deps: LiveUpdatesDeps;

  constructor(deps: LiveUpdatesDeps) {
    this.#deps = deps;
  }

  apply(frame: ServerFrame): void {
    switch (frame.type) {
      case 'ready':
        this.#deps.onReady();
        return;
      case 'message':
        this.#message(frame.message);
        return;
      case 'event':
        this.#event(frame);
        return;
      case 'error':
        // A frame of ours the gateway could not take; the connection stays. Worth a line for developers.
        console.warn(`ws-gateway refused a frame: ${frame.code}`);
        return;
      default:
        return;
    }
  }

  #message(message: Message): void {
    const { store, conversations, sessions, typing } = this.#deps;
    const state = store.get();
    const mine = message.author?.kind === 'user' && message.author.id === state.me.id;
    const inView = state.openId === message.session_id && document.visibilityState === 'visible';
    const unread = !mine && !inView && !conversations.holds(message);
    if (message.author?.kind === 'user') typing.stopped(message.session_id, message.author.id);
    conversations.received(message);
    const bumped = bumpSession(state.sessions, message, unread);
    if (bumped === undefined) {
      // A session the list does not have yet (the user was just added to it): ask for it.
      void sessions.fetch(message.session_id).catch(() => undefined);
      return;
    }
    store.update((current) => ({ ...current, sessions: bumped }));
  }

  #event(frame: { session_id: string } & SessionEvent): void {
    const { store, sessions, typing, messages } = this.#deps;
    const me = store.get().me.id;
    const id = frame.session_id;
    switch (frame.event) {
      case 'member.joined':
        if (frame.data.user.id === me) void sessions.fetch(id).catch(() => undefined);
        else this.#patchNewer(id, frame.data.version, (session) => ({ member_count: session.member_count + 1 }));
        return;
      case 'member.left':
        if (frame.data.user_id === me) sessions.gone(id, 'You are no longer in that conversation.');
        else this.#patchNewer(id, frame.data.version, (session) => ({ member_count: session.member_count - 1 }));
        return;
      case 'session.updated':
        this.#patchNewer(id, frame.data.version, () => ({ name: frame.data.name, visibility: frame.data.visibility }));
        return;
      case 'session.deleted':
        sessions.gone(id, 'That conversation was deleted.');
        return;
      case 'read':
        if (frame.data.user_id === me) this.#readElsewhere(id, frame.data.message_id);
        return;
      case 'typing':
        typing.received(id, frame.data.user);
        return;
      case 'message.edited':
      case 'message.deleted':
      case 'reaction.added':
      case 'reaction.removed': {
        const change = changeOfEvent(frame, me);
        if (change !== undefined) messages.apply(id, change);
        return;
      }
      case 'presence':
        this.#deps.presence.heard(frame.data);
        return;
    }
  }

  /** The user read a session in another tab: unread is what others wrote after that message. */
  #readElsewhere(id: string, messageId: string): void {
    const { store } = this.#deps;
    if (store.get().openId === id && document.visibilityState === 'visible') return;
    const items = store.get().conversations[id]?.items ?? [];
    const index = items.findIndex((item) => item.message.id === messageId);
    const me = store.get().me.id;
    const unread =
      index < 0
        ? 0
        : items
            .slice(index + 1)
            .filter((item) => !(item.message.author?.kind === 'user' && item.message.author.id === me)).length;
    this.#patch(id, () => ({ unread_count: unread }));
  }

  #patch(id: string, change: Parameters<typeof patchSession>[2]): void {
    this.#deps.store.update((state) => ({ ...state, sessions: patchSession(state.sessions, id, change) }));
  }

  /**
   * A change the session's version shows whether the list has already: an answer of chat-api to
   * this tab (adding a member, renaming) may arrive before or after its event.
   */
  #patchNewer(id: string, version: number, change: Parameters<typeof patchSession>[2]): void {
    this.#patch(id, (session) => (version > session.version ? { ...change(session), version } : {}));
  }
}
