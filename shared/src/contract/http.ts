// Types only: the web client imports this module, so it must never pull runtime code in.

/** A user as others see them: who wrote, who joined, who is a member. */
export interface UserRef {
  /** A lower-case UUID (v4). */
  readonly id: string;
  readonly username: string;
}

/** HTTP.md's `user`: what `POST /auth/register` and `GET /auth/me` answer as `{ user }`. */
export interface User extends UserRef {
  /** ISO-8601 in UTC. */
  readonly created_at: string;
}

/** What `POST /auth/login` and `POST /auth/refresh` answer. */
export interface TokenPair {
  /** A JWT (ES256 or RS256) whose `kid` is in auth's JWKS. */
  readonly access_token: string;
  /** Opaque and single use. */
  readonly refresh_token: string;
  readonly token_type: 'Bearer';
  /** Seconds until the access token expires. */
  readonly expires_in: number;
  readonly user: User;
}

/** A chat user, vouched for by a trusted publisher's author headers (AMQP.md). */
export interface UserAuthor extends UserRef {
  readonly kind: 'user';
}

/** Any other publisher, named by its AMQP user. */
export interface BotAuthor {
  readonly kind: 'bot';
  readonly name: string;
}

/** Who wrote a message; `null` is an unattributed message (published without `user_id`), shown as unverified. */
export type Author = UserAuthor | BotAuthor | null;

/** HTTP.md's `Message`: a chat message as every part sees it, in history, answers and `message` frames. */
export interface Message {
  /** A lower-case UUID. */
  readonly id: string;
  /** A lower-case UUID, taken from the exchange the message was published to. */
  readonly session_id: string;
  readonly author: Author;
  /** An application tag (1 to 32 of `a-z 0-9 . _ -`); `text` by default. */
  readonly type: string;
  /** Trimmed, 1 to 4000 code points. */
  readonly content: string;
  /** A JSON object of at most 8 KiB serialized and 16 levels deep, or null when absent. */
  readonly extra: Readonly<Record<string, unknown>> | null;
  /** ISO-8601 in UTC with milliseconds, as `Date.prototype.toISOString` writes it. */
  readonly created_at: string;
  /** The root message of the thread this is a reply in, or `null` for a message that is no reply. */
  readonly reply_to: string | null;
  /** Replies in this message's thread; 0 for a reply. */
  readonly reply_count: number;
  /** When its author last edited it (ISO-8601), `null` if never. */
  readonly edited_at: string | null;
  /** When it was deleted (ISO-8601), `null` if it was not; a deleted message has `content` `""`, `extra` `{}` and no reactions. */
  readonly deleted_at: string | null;
  /** Its reactions, most reacted first. */
  readonly reactions: readonly Reaction[];
}

/** The users who reacted to a message with one emoji. */
export interface Reaction {
  /** One emoji or a short name (`thumbsup`): 1 to 32 code points, no white space or control characters. */
  readonly emoji: string;
  /** Users who reacted with it, each counted once. */
  readonly count: number;
  /** The caller is among them. */
  readonly me: boolean;
}

/** `GET /api/sessions/:id/messages/:messageId/thread`: the root and a page of its replies, oldest first. */
export interface ThreadPage {
  readonly root: Message;
  readonly replies: readonly Message[];
  readonly has_more: boolean;
}

/** A group session has members and an owner; a direct one is the one session of two users. */
export type SessionKind = 'group' | 'direct';

/** Who may find and join a session: anyone (public) or only those added (private). */
export type Visibility = 'private' | 'public';

/** HTTP.md's `Session`, as the caller sees it. */
export interface Session {
  readonly id: string;
  readonly kind: SessionKind;
  /** A direct session's name is the other member's username. */
  readonly name: string | null;
  readonly visibility: Visibility;
  readonly owner_id: string | null;
  readonly created_at: string;
  readonly bumped_at: string;
  /** Increases by one with every change: a message stored, a member joined or left, a rename. */
  readonly version: number;
  readonly member_count: number;
  /** `null` when there is none, or for a caller who is not a member (messages are for members). */
  readonly last_message: Message | null;
  /** Messages after the caller's read marker that others wrote. */
  readonly unread_count: number;
}

/** One member on the session detail route. */
export interface Member {
  readonly user: UserRef;
  readonly role: 'owner' | 'member';
  readonly joined_at: string;
  /** The user has at least one open WebSocket, on any gateway. */
  readonly online: boolean;
  /** When their last socket closed (ISO-8601); `null` while online or never seen. */
  readonly last_seen_at: string | null;
}

/** One user of `GET /api/presence`. */
export interface Presence {
  readonly id: string;
  readonly online: boolean;
  readonly last_seen_at: string | null;
}

/** `GET /api/sessions/:id`. */
export interface SessionDetail extends Session {
  readonly members: readonly Member[];
}

/** One hit of `GET /api/sessions/search`. */
export interface SearchHit extends Session {
  readonly is_member: boolean;
}

/** A page of history: `GET /api/sessions/:id/messages`. */
export interface MessagePage {
  readonly messages: readonly Message[];
  readonly has_more: boolean;
}
