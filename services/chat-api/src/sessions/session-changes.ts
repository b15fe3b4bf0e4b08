import { limits } from '@warren/shared/limits';
import type { BrokerTransaction } from '../broker/broker-transaction.ts';
import type { MembershipChanges } from '../broker/membership-changes.ts';
import type { SessionEvents } from '../broker/session-events.ts';
import type { SessionTopology } from '../broker/session-topology.ts';
import { ChatApiErrors } from '../errors.ts';
import type { MemberStore } from '../stores/member-store.ts';
import type { MessageHistory } from '../stores/message-history.ts';
import type { SessionRow, SessionStore } from '../stores/session-store.ts';

/** How a member's departure ended. */
export type Departure = { readonly deleted: false; readonly version: number } | { readonly deleted: true };

/** What {@link SessionChanges} works with. */
export interface SessionChangesDeps {
  sessions: SessionStore;
  members: MemberStore;
  history: MessageHistory;
  topology: SessionTopology;
  events: SessionEvents;
  /** Tells every instance, once committed, whose membership ended. */
  membershipChanges: MembershipChanges;
}

/**
 * The changes of membership every route is made of, each done inside a {@link BrokerTransaction}
 * on a session whose row the caller has locked: the database rows and the broker's bindings change
 * together, and `version` increases by one with each. `requestId`, where taken: the HTTP request's
 * id, which the events published carry in their headers for the logs downstream.
 */
export class SessionChanges {
  readonly #deps: SessionChangesDeps;

  constructor(deps: SessionChangesDeps) {
    this.#deps = deps;
  }

  /** Creates a session with its members, then its exchange and bindings. */
  async found(
    tx: BrokerTransaction,
    session: Pick<SessionRow, 'id' | 'kind' | 'name' | 'visibility' | 'owner_id'>,
    members: { readonly owner: string | null; readonly others: readonly string[] },
  ): Promise<void> {
    await this.#deps.sessions.insert(tx.trx, session);
    await this.#addFounders(tx, session.id, members);
  }

  /** Adds the first members of a session just inserted, then its exchange and bindings. */
  async #addFounders(
    tx: BrokerTransaction,
    sessionId: string,
    members: { readonly owner: string | null; readonly others: readonly string[] },
  ): Promise<void> {
    const { members: store, topology } = this.#deps;
    if (members.owner !== null) await store.add(tx.trx, sessionId, [members.owner], 'owner');
    await store.add(tx.trx, sessionId, members.others, 'member');
    const all = members.owner === null ? [...members.others] : [members.owner, ...members.others];
    await tx.step(
      () => topology.create(sessionId, all),
      () => topology.delete(sessionId),
    );
  }

  /** Adds the two members of a direct session just inserted, then its exchange and bindings. */
  async foundDirect(tx: BrokerTransaction, sessionId: string, userIds: readonly [string, string]): Promise<void> {
    await this.#addFounders(tx, sessionId, { owner: null, others: userIds });
  }

  /**
   * Adds a member and binds the session to their exchange.
   * @returns the session's new version.
   * @throws SESSION_FULL (409) past the member limit.
   */
  async admit(tx: BrokerTransaction, session: SessionRow, userId: string): Promise<number> {
    const { sessions, members, topology } = this.#deps;
    if ((await members.count(tx.trx, session.id)) >= limits.membersPerSession) {
      throw new ChatApiErrors.sessionFull(`session ${session.id} has ${limits.membersPerSession} members already`);
    }
    await members.add(tx.trx, session.id, [userId], 'member');
    await tx.step(
      () => topology.bindMember(session.id, userId),
      () => topology.unbindMember(session.id, userId),
    );
    return sessions.change(tx.trx, session.id);
  }

  /**
   * Removes a member and unbinds them. An owner who goes hands ownership to the longest-standing
   * member; the last member to go deletes the session.
   */
  async depart(tx: BrokerTransaction, session: SessionRow, userId: string, requestId?: string): Promise<Departure> {
    const { sessions, members, topology, membershipChanges } = this.#deps;
    if ((await members.count(tx.trx, session.id)) <= 1) {
      await this.dissolve(tx, session, requestId);
      return { deleted: true };
    }
    await members.remove(tx.trx, session.id, userId);
    tx.afterCommit(() => membershipChanges.ended(session.id, [userId]));
    await tx.step(
      () => topology.unbindMember(session.id, userId),
      () => topology.bindMember(session.id, userId),
    );
    let ownerId = session.owner_id;
    if (ownerId === userId) {
      ownerId = (await members.longestStanding(tx.trx, session.id)) ?? null;
      if (ownerId !== null) await members.makeOwner(tx.trx, session.id, ownerId);
    }
    const version = await sessions.change(
      tx.trx,
      session.id,
      ownerId === session.owner_id ? {} : { owner_id: ownerId },
    );
    return { deleted: false, version };
  }

  /**
   * Deletes a session, its members and its messages, then its exchange. `session.deleted` is
   * published just before, since once the exchange is gone nothing reaches the members.
   */
  async dissolve(tx: BrokerTransaction, session: SessionRow, requestId?: string): Promise<void> {
    const { sessions, members, history, topology, events, membershipChanges } = this.#deps;
    const memberIds = await members.ids(tx.trx, session.id);
    tx.afterCommit(() => membershipChanges.ended(session.id, memberIds));
    await history.deleteSession(tx.trx, session.id);
    await sessions.delete(tx.trx, session.id);
    await events.sessionDeleted(session.id, requestId);
    await tx.step(
      () => topology.delete(session.id),
      () => topology.create(session.id, memberIds),
    );
  }
}
