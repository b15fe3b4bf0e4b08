import type { Message, Session, User } from '../api/types.ts';
import type { ConnectionState } from '../live/socket-client.ts';
import type { PresenceBook } from './presence.ts';

/** Where one of the user's own messages is: confirmed by chat-api (or received), on its way, or refused. */
export type SendStatus = 'sent' | 'sending' | 'failed';

/** One message of a conversation as the client shows it. */
export interface ChatItem {
  readonly message: Message;
  readonly status: SendStatus;
  /** Why a `failed` message was refused, in words. */
  readonly error?: string;
  /**
   * When it reached the client from anywhere but history (ms, the client's clock): live from the
   * socket, or the user's own as chat-api took it. Unset once history has given it: until then the
   * persister may still refuse it, and a gap fill replaces it with what history says.
   */
  readonly receivedAt?: number;
  /**
   * When a change to it (an edit, a deletion, a reaction) was last applied here, live or from the
   * user's own action (ms, the client's clock): until the persister has surely applied it too,
   * history's version of the message may predate it (see `reconciled` in message-list.ts).
   */
  readonly changedAt?: number;
}

/** The loaded part of one session's history, oldest first. */
export interface Conversation {
  readonly items: readonly ChatItem[];
  /** The newest page has arrived. */
  readonly loaded: boolean;
  /** History goes back further than `items`. */
  readonly hasOlder: boolean;
  readonly loadingOlder: boolean;
  /** Why the history could not be loaded, in words. */
  readonly error?: string;
}

/** Someone typing in a session, until `until` (ms since 1970). */
export interface Typist {
  readonly id: string;
  readonly username: string;
  readonly until: number;
}

/** The thread open in the side panel: its root and the pages of replies the thread route gave. */
export interface ThreadState {
  readonly sessionId: string;
  readonly rootId: string;
  /** The root as the thread route gave it (and changed live since); until then, the conversation's copy. */
  readonly root: Message | undefined;
  /** Replies from the thread route, oldest first; live ones are in the conversation's items. */
  readonly replies: readonly Message[];
  /** The first page has arrived. */
  readonly loaded: boolean;
  /** The thread route has replies after the last one in `replies`. */
  readonly hasMore: boolean;
  readonly loadingMore: boolean;
  readonly error?: string;
}

/** A message search and its results, newest first. */
export interface SearchState {
  readonly query: string;
  readonly results: readonly Message[];
  readonly loading: boolean;
  /** More results are older than the last one. */
  readonly hasMore: boolean;
  readonly error?: string;
}

/** A message to scroll to and mark (a search result opened); `seq` tells one jump from the next to the same message. */
export interface Highlight {
  readonly sessionId: string;
  readonly messageId: string;
  readonly seq: number;
}

/** Everything the chat screens show. */
export interface ChatState {
  readonly me: User;
  /** The user's sessions, most recently active first. */
  readonly sessions: readonly Session[];
  readonly sessionsLoaded: boolean;
  readonly sessionsError?: string;
  /** Conversations opened since the page loaded, by session id. */
  readonly conversations: Readonly<Record<string, Conversation>>;
  /** Who is typing, by session id. */
  readonly typing: Readonly<Record<string, readonly Typist[]>>;
  readonly connection: ConnectionState;
  /** Gap fills finished since the page loaded (each `ready` makes two): shows when catching up is done. */
  readonly catchUps: number;
  /** The session on screen. */
  readonly openId: string | undefined;
  /** Something the user should know that no screen shows (a session deleted under them). */
  readonly notice?: string;
  /** The thread in the side panel, if one is open. */
  readonly thread?: ThreadState;
  /** The message search, while the search box has a query. */
  readonly search?: SearchState;
  /** The message last jumped to. */
  readonly highlight?: Highlight;
  /** Who is online, of the users the client asked about or heard of, by user id. */
  readonly presence: PresenceBook;
  /** The other user of each direct session whose other user is known, by session id; `null`: nobody else is in it. */
  readonly directPeers: Readonly<Record<string, string | null>>;
}

/** The state right after logging in. */
export function initialChatState(me: User, openId: string | undefined): ChatState {
  return {
    me,
    sessions: [],
    sessionsLoaded: false,
    conversations: {},
    typing: {},
    connection: 'connecting',
    catchUps: 0,
    openId,
    presence: {},
    directPeers: {},
  };
}

/** A conversation with nothing loaded yet. */
export const EMPTY_CONVERSATION: Conversation = { items: [], loaded: false, hasOlder: false, loadingOlder: false };
