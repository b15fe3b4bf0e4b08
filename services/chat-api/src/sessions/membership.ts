import type { Logger } from '@warren/shared/logging';
import { validate as isUuid } from 'uuid';
import { transactionWithBroker } from '../broker/broker-transaction.ts';
import type { SessionEvents } from '../broker/session-events.ts';
import { ChatApiErrors } from '../errors.ts';
import type { MemberStore } from '../stores/member-store.ts';
import type { Transactions } from '../stores/transactions.ts';
import type { UserDirectory } from '../users/user-directory.ts';
import type { Caller } from './caller.ts';
import { requireMember, requireOwner, type SessionAccess } from './session-access.ts';
import type { Departure, SessionChanges } from './session-changes.ts';

/** What {@link Membership} works with. */
export interface MembershipDeps {
  transactions: Transactions;
  logger: Logger;
  access: SessionAccess;
  members: MemberStore;
  users: UserDirectory;
  changes: SessionChanges;
  events: SessionEvents;
}

/**
 * Joining, leaving, adding and removing members. Each locks the session's row, changes the
 * database and the broker's bindings together (a broker failure answers 503 and undoes the
 * database change), and publishes its event once committed. Each method takes, last, the id of the
 * HTTP request it is for, if any, which its events carry in their headers for the logs downstream.
 */
export class Membership {
  readonly #deps: MembershipDeps;

  constructor(deps: MembershipDeps) {
    this.#deps = deps;
  }

  /**
   * Joins a public session; joining a session one is in already changes nothing.
   * @throws SESSION_NOT_FOUND (404) for a private session the caller is not in; SESSION_FULL (409).
   */
  async join(caller: Caller, sessionId: string, requestId?: string): Promise<void> {
    const { transactions, logger, access, changes, events } = this.#deps;
    const version = await transactionWithBroker(transactions, logger, async (tx) => {
      const { session, member } = await access.lock(tx.trx, caller.id, sessionId);
      if (member !== undefined) return undefined;
      return changes.admit(tx, session, caller.id);
    });
    if (version !== undefined) await events.memberJoined(sessionId, caller, version, requestId);
  }

  /**
   * Adds a user by username; any member may. Adding a member twice changes nothing.
   * @throws USER_NOT_FOUND (404); DIRECT_SESSION (409); SESSION_FULL (409); and the member rules.
   */
  async add(caller: Caller, sessionId: string, username: string, requestId?: string): Promise<void> {
    const { transactions, logger, access, members, users, changes, events } = this.#deps;
    const user = await users.findByUsername(username);
    const version = await transactionWithBroker(transactions, logger, async (tx) => {
      const locked = await access.lock(tx.trx, caller.id, sessionId);
      requireMember(sessionId, locked);
      const { session } = locked;
      if (session.kind === 'direct') {
        throw new ChatApiErrors.directSession('a direct session has exactly its two members');
      }
      if (user === undefined) throw new ChatApiErrors.userNotFound(`no user named ${username}`);
      if ((await members.find(sessionId, user.id, tx.trx)) !== undefined) return undefined;
      return changes.admit(tx, session, user.id);
    });
    if (version !== undefined && user !== undefined) await events.memberJoined(sessionId, user, version, requestId);
  }

  /** Leaves a session: ownership passes on, and the last one out deletes it. */
  async leave(caller: Caller, sessionId: string, requestId?: string): Promise<void> {
    const { transactions, logger, access, changes } = this.#deps;
    const departure = await transactionWithBroker(transactions, logger, async (tx) => {
      const locked = await access.lock(tx.trx, caller.id, sessionId);
      requireMember(sessionId, locked);
      return changes.depart(tx, locked.session, caller.id, requestId);
    });
    await this.#announce(sessionId, caller.id, departure, requestId);
  }

  /**
   * Removes a member; owner only. Removing oneself is leaving; removing someone who is not a
   * member changes nothing.
   * @throws USER_NOT_FOUND (404) for a user id that is not a UUID; and the owner rules.
   */
  async remove(caller: Caller, sessionId: string, userIdParam: string, requestId?: string): Promise<void> {
    const { transactions, logger, access, members, changes } = this.#deps;
    if (!isUuid(userIdParam)) throw new ChatApiErrors.userNotFound(`no user ${userIdParam}`);
    const userId = userIdParam.toLowerCase();
    const departure = await transactionWithBroker(transactions, logger, async (tx) => {
      const locked = await access.lock(tx.trx, caller.id, sessionId);
      requireOwner(caller, sessionId, locked);
      if ((await members.find(sessionId, userId, tx.trx)) === undefined) return undefined;
      return changes.depart(tx, locked.session, userId, requestId);
    });
    await this.#announce(sessionId, userId, departure, requestId);
  }

  async #announce(
    sessionId: string,
    userId: string,
    departure: Departure | undefined,
    requestId: string | undefined,
  ): Promise<void> {
    if (departure !== undefined && !departure.deleted) {
      await this.#deps.events.memberLeft(sessionId, userId, departure.version, requestId);
    }
  }
}
