import type { ChatMessage } from '@warren/shared/envelope';
import type { MessageRow } from '@warren/shared/history';
import { limits } from '@warren/shared/limits';
import type { MessageChangeEvents } from '../broker/message-change-events.ts';
import { ChatApiErrors } from '../errors.ts';
import type { Caller } from '../sessions/caller.ts';
import type { MessageDetailsStore } from '../stores/message-details-store.ts';
import type { MessageHistory } from '../stores/message-history.ts';

/** What {@link MessageChanges} works with. */
export interface MessageChangesDeps {
  events: MessageChangeEvents;
  history: MessageHistory;
  details: MessageDetailsStore;
}

/** The session a change is made in, as `SessionAccess` found it for a member. */
export interface ChangedSession {
  readonly id: string;
  /** Its owner, who may delete any message of it; null for a direct session. */
  readonly ownerId: string | null;
}

function isAuthor(caller: Caller, row: MessageRow): boolean {
  return row.author_kind === 'user' && row.author_id === caller.id;
}

function refuseDeleted(row: MessageRow): void {
  if (row.deleted_at !== null) throw new ChatApiErrors.messageDeleted(`message ${row.id} was deleted`);
}

/**
 * Edits, deletes and reactions (HTTP.md "Message changes"), by a member of the session (checked
 * before). Each is decided against the message as history holds it, then published as an event
 * on the session's exchange and answered once the broker confirmed it: the persister applies it
 * (in the order of the events' ids, exactly once) and members see it live. A message posted but not
 * stored yet is waited for (`MessageHistory.awaitStored`), so a client may change what it has just
 * seen live. Each method takes the HTTP request's id last, carried in the event's headers for the logs downstream.
 */
export class MessageChanges {
  readonly #deps: MessageChangesDeps;

  constructor(deps: MessageChangesDeps) {
    this.#deps = deps;
  }

  /**
   * @throws MESSAGE_NOT_FOUND (404) when the session holds no such message, even after waiting for it
   * (whether another does is not told).
   */
  async #find(sessionId: string, messageId: string): Promise<MessageRow> {
    const row = await this.#deps.history.awaitStored(sessionId, messageId);
    if (row === undefined) {
      throw new ChatApiErrors.messageNotFound(`session ${sessionId} holds no message ${messageId}`);
    }
    return row;
  }

  /**
   * Replaces the content of the caller's message (already held to the envelope's content rule).
   * @returns the message as it is once the persister applied the edit.
   * @throws MESSAGE_NOT_FOUND (404); NOT_THE_AUTHOR (403) for another's message; MESSAGE_DELETED (409);
   * BROKER_UNAVAILABLE (503) when the broker did not confirm.
   */
  async edit(
    caller: Caller,
    sessionId: string,
    messageId: string,
    content: string,
    requestId?: string,
  ): Promise<ChatMessage> {
    const row = await this.#find(sessionId, messageId);
    if (!isAuthor(caller, row)) {
      throw new ChatApiErrors.notTheAuthor(`only the author of message ${messageId} may edit it`);
    }
    refuseDeleted(row);
    const editedAt = new Date();
    await this.#deps.events.publish(
      sessionId,
      'message.edited',
      { session_id: sessionId, message_id: row.id, content, edited_at: editedAt.toISOString() },
      requestId,
    );
    return this.#deps.details.messageOf({ ...row, content, edited_at: editedAt }, caller.id);
  }

  /**
   * Deletes a message: its author's right, and the session owner's (moderation). Deleting a message
   * history already holds as deleted publishes nothing and answers the same tombstone: a delete is
   * final, so there is nothing a late event could undo.
   * @returns the message's tombstone.
   * @throws MESSAGE_NOT_FOUND (404); NOT_THE_AUTHOR (403) for another's message, unless the caller
   * owns the session; BROKER_UNAVAILABLE (503) when the broker did not confirm.
   */
  async delete(caller: Caller, session: ChangedSession, messageId: string, requestId?: string): Promise<ChatMessage> {
    const row = await this.#find(session.id, messageId);
    if (!isAuthor(caller, row) && session.ownerId !== caller.id) {
      throw new ChatApiErrors.notTheAuthor(
        `only the author of message ${messageId} or the session's owner may delete it`,
      );
    }
    if (row.deleted_at !== null) return this.#deps.details.messageOf(row, caller.id);
    const deletedAt = new Date();
    await this.#deps.events.publish(
      session.id,
      'message.deleted',
      { session_id: session.id, message_id: row.id, deleted_at: deletedAt.toISOString() },
      requestId,
    );
    return this.#deps.details.messageOf({ ...row, deleted_at: deletedAt }, caller.id);
  }

  /**
   * Adds (`present`) or removes the caller's reaction with an emoji (already held to the envelope's
   * emoji rule). Both are published even when history already shows the result: a change of the
   * caller's on its way to the persister may be about to undo it, and the persister applies the
   * latest. The 50 distinct emoji are checked against history, so two new emoji added at once may
   * both pass here; the persister holds the limit then, dropping what is over it.
   * @throws MESSAGE_NOT_FOUND (404); MESSAGE_DELETED (409); TOO_MANY_REACTIONS (409) for a new
   * distinct emoji past the limit; BROKER_UNAVAILABLE (503) when the broker did not confirm.
   */
  async react(
    caller: Caller,
    sessionId: string,
    messageId: string,
    emoji: string,
    present: boolean,
    requestId?: string,
  ): Promise<void> {
    const row = await this.#find(sessionId, messageId);
    refuseDeleted(row);
    if (present) {
      const held = await this.#deps.history.emojiCount(row.id, emoji);
      if (!held.present && held.distinct >= limits.reactionsPerMessage) {
        throw new ChatApiErrors.tooManyReactions(
          `message ${messageId} has ${held.distinct} distinct emoji, the most it may have`,
        );
      }
    }
    await this.#deps.events.publish(
      sessionId,
      present ? 'reaction.added' : 'reaction.removed',
      { session_id: sessionId, message_id: row.id, emoji, user: { id: caller.id, username: caller.username } },
      requestId,
    );
  }
}
