// The shapes of HTTP.md and WEBSOCKET.md as the client reads them.

/** `user` of the auth API. */
export interface User {
  readonly id: string;
  readonly username: string;
  readonly created_at: string;
}

/** What `POST /auth/login` and `POST /auth/refresh` answer. */
export interface TokenPair {
  readonly access_token: string;
  readonly refresh_token: string;
  readonly token_type: 'Bearer';
  /** Seconds until the access token expires. */
  readonly expires_in: number;
  readonly user: User;
}

/** Who wrote a message: a person, a program publishing over AMQP, or nobody vouches (`null`: an unverified sender). */
export type Author =
  | { readonly kind: 'user'; readonly id: string; readonly username: string }
  | { readonly kind: 'bot'; readonly name: string }
  | null;

/** HTTP.md's `Message`. */
export interface Message {
  readonly id: string;
  readonly session_id: string;
  readonly author: Author;
  readonly type: string;
  readonly content: string;
  readonly extra: Readonly<Record<string, unknown>> | null;
  readonly created_at: string;
}

/** HTTP.md's `Session`, as the caller sees it. */
export interface Session {
  readonly id: string;
  readonly kind: 'group' | 'direct';
  /** A direct session's name is the other member's username. */
  readonly name: string | null;
  readonly visibility: 'private' | 'public';
  readonly owner_id: string | null;
  readonly created_at: string;
  readonly bumped_at: string;
  readonly version: number;
  readonly member_count: number;
  readonly last_message: Message | null;
  readonly unread_count: number;
}

/** One member on the session detail route. */
export interface Member {
  readonly user: { readonly id: string; readonly username: string };
  readonly role: 'owner' | 'member';
  readonly joined_at: string;
}

/** `GET /api/sessions/:id`. */
export interface SessionDetail extends Session {
  readonly members: readonly Member[];
}

/** One hit of `GET /api/sessions/search`. */
export interface SearchHit extends Session {
  readonly is_member: boolean;
}

/** A page of history. */
export interface MessagePage {
  readonly messages: readonly Message[];
  readonly has_more: boolean;
}

/** The session events of AMQP.md, as `event` frames carry them. */
export type SessionEvent =
  | {
      readonly event: 'member.joined';
      readonly data: { session_id: string; user: { id: string; username: string }; version: number };
    }
  | { readonly event: 'member.left'; readonly data: { session_id: string; user_id: string; version: number } }
  | {
      readonly event: 'session.updated';
      readonly data: { session_id: string; name: string; visibility: Session['visibility']; version: number };
    }
  | { readonly event: 'session.deleted'; readonly data: { session_id: string } }
  | { readonly event: 'read'; readonly data: { session_id: string; user_id: string; message_id: string } }
  | { readonly event: 'typing'; readonly data: { session_id: string; user: { id: string; username: string } } };

/** Frames the gateway sends (WEBSOCKET.md). */
export type ServerFrame =
  | { readonly type: 'ready'; readonly user: { id: string; username: string }; readonly connection_id: string }
  | { readonly type: 'message'; readonly session_id: string; readonly message: Message }
  | ({ readonly type: 'event'; readonly session_id: string } & SessionEvent)
  | { readonly type: 'pong' }
  | { readonly type: 'error'; readonly code: string; readonly detail: string };
