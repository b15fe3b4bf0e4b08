// Types only: the web client imports this module, so it must never pull runtime code in.
import type { UserRef, Visibility } from './http.ts';

/**
 * The body of each event chat-api publishes on a session exchange (AMQP.md "Events on a session
 * exchange"), by its `type` property. `event` frames carry the same body as `data`.
 */
export interface SessionEventPayloads {
  /** A user joined or was added. */
  readonly 'member.joined': { readonly session_id: string; readonly user: UserRef; readonly version: number };
  /** A member left or was removed. */
  readonly 'member.left': { readonly session_id: string; readonly user_id: string; readonly version: number };
  /** Renamed, or made public or private. */
  readonly 'session.updated': {
    readonly session_id: string;
    readonly name: string | null;
    readonly visibility: Visibility;
    readonly version: number;
  };
  /** Deleted: published before its exchange goes, so members hear it. */
  readonly 'session.deleted': { readonly session_id: string };
  /** A member's read marker moved forward. */
  readonly read: { readonly session_id: string; readonly user_id: string; readonly message_id: string };
  /** A member is typing; published with a short `expiration`. */
  readonly typing: { readonly session_id: string; readonly user: UserRef };
  /** A message's author changed its content; history keeps it. */
  readonly 'message.edited': {
    readonly session_id: string;
    readonly message_id: string;
    readonly content: string;
    readonly edited_at: string;
  };
  /** A message was deleted (by its author or the session's owner); history keeps a tombstone. */
  readonly 'message.deleted': { readonly session_id: string; readonly message_id: string; readonly deleted_at: string };
  /** A user reacted to a message with an emoji; history keeps it. */
  readonly 'reaction.added': ReactionEventData;
  /** A user took their reaction back; history keeps it. */
  readonly 'reaction.removed': ReactionEventData;
  /** A member came online (first socket on any gateway) or went offline (last one closed). */
  readonly presence: {
    readonly session_id: string;
    readonly user_id: string;
    readonly online: boolean;
    /** ISO-8601, when their last socket closed; `null` while online or never seen. */
    readonly last_seen_at: string | null;
  };
}

/** The body of `reaction.added` and `reaction.removed`. */
export interface ReactionEventData {
  readonly session_id: string;
  readonly message_id: string;
  readonly emoji: string;
  readonly user: UserRef;
}

/** The `type` of a session event. */
export type SessionEventName = keyof SessionEventPayloads;

/** A session event with its body, discriminated by `event`, as `event` frames carry it. */
export type SessionEvent = {
  readonly [E in SessionEventName]: { readonly event: E; readonly data: SessionEventPayloads[E] };
}[SessionEventName];
