import { randomUUID } from 'node:crypto';
import { SharedErrors } from '@warren/shared/errors';
import { limits } from '@warren/shared/limits';
import type { Logger } from '@warren/shared/logging';
import { transactionWithBroker } from '../broker/broker-transaction.ts';
import type { SessionEvents } from '../broker/session-events.ts';
import { ChatApiErrors } from '../errors.ts';
import type { MemberStore } from '../stores/member-store.ts';
import { directKeyOf, type SessionStore, type Visibility } from '../stores/session-store.ts';
import type { Transactions } from '../stores/transactions.ts';
import type { UserSummary } from '../stores/user-store.ts';
import type { UserDirectory } from '../users/user-directory.ts';
import type { Caller } from './caller.ts';
import { requireOwner, type SessionAccess } from './session-access.ts';
import type { SessionChanges } from './session-changes.ts';

/** What {@link SessionLifecycle} works with. */
export interface SessionLifecycleDeps {
  transactions: Transactions;
  logger: Logger;
  access: SessionAccess;
  sessions: SessionStore;
  members: MemberStore;
  users: UserDirectory;
  changes: SessionChanges;
  events: SessionEvents;
}

/** `POST /api/sessions`. */
export interface NewGroupSession {
  name?: string | undefined;
  visibility?: Visibility | undefined;
  /** Usernames to add besides the caller. */
  members?: readonly string[] | undefined;
}

/** `PATCH /api/sessions/:id`. */
export interface SessionUpdate {
  name?: string | undefined;
  visibility?: Visibility | undefined;
}

/**
 * The name of a group session made without one: its members' usernames, the caller's first, cut to
 * the longest session name.
 */
export function defaultSessionName(usernames: readonly string[]): string {
  const name = usernames.join(', ');
  const max = limits.sessionName.max;
  return name.length <= max ? name : `${name.slice(0, max - 1)}…`;
}

/**
 * Making, changing and deleting sessions (group and direct). Each method takes, last, the id of the
 * HTTP request it is for, if any, which its events carry in their headers for the logs downstream.
 */
export class SessionLifecycle {
  readonly #deps: SessionLifecycleDeps;

  constructor(deps: SessionLifecycleDeps) {
    this.#deps = deps;
  }

  /**
   * Makes a group session with the caller as owner and the named users as members.
   * @returns its id.
   * @throws USER_NOT_FOUND (404) naming every unknown username; SESSION_FULL (409) past the limit.
   */
  async createGroup(caller: Caller, input: NewGroupSession, requestId?: string): Promise<string> {
    const { transactions, logger, users, changes, events } = this.#deps;
    const requested = new Map<string, string>();
    for (const name of input.members ?? []) {
      const key = name.toLowerCase();
      if (key !== caller.username.toLowerCase() && !requested.has(key)) requested.set(key, name);
    }
    const { found, missing } = await users.findByUsernames([...requested.values()]);
    if (missing.length > 0) {
      throw new ChatApiErrors.userNotFound(`no user named ${missing.join(', ')}`, {
        errors: missing.map((name) => ({ field: 'members', message: `no user named ${name}` })),
      });
    }
    const others = found.filter((user) => user.id !== caller.id);
    if (others.length + 1 > limits.membersPerSession) {
      throw new ChatApiErrors.sessionFull(`a session holds at most ${limits.membersPerSession} members`);
    }
    const id = randomUUID();
    await transactionWithBroker(transactions, logger, (tx) =>
      changes.found(
        tx,
        {
          id,
          kind: 'group',
          name: input.name ?? defaultSessionName([caller.username, ...others.map((user) => user.username)]),
          visibility: input.visibility ?? 'private',
          owner_id: caller.id,
        },
        { owner: caller.id, others: others.map((user) => user.id) },
      ),
    );
    // Tells the added members' clients (their exchanges are bound now) that they are in a new session.
    await Promise.all(others.map((user) => events.memberJoined(id, user, 0, requestId)));
    return id;
  }

  /**
   * The one direct session of the caller and another user, made on first call, the same whoever
   * asks first (also when both ask at once). Either of the two who had left it is a member again.
   * @returns its id.
   * @throws USER_NOT_FOUND (404); INVALID_REQUEST (400) for the caller's own username.
   */
  async openDirect(caller: Caller, username: string, requestId?: string): Promise<string> {
    const { transactions, logger, sessions, members, users, changes, events } = this.#deps;
    const peer = await users.findByUsername(username);
    if (peer === undefined) throw new ChatApiErrors.userNotFound(`no user named ${username}`);
    if (peer.id === caller.id) {
      throw new SharedErrors.invalidRequest('a direct session needs another user', {
        errors: [{ field: 'username', message: 'is your own username' }],
      });
    }
    const key = directKeyOf(caller.id, peer.id);
    const pair: readonly [UserSummary, UserSummary] = [caller, peer];
    const { id, joined } = await transactionWithBroker(transactions, logger, async (tx) => {
      // Inserting loses to a concurrent insert of the pair, and finding loses to a concurrent
      // deletion of it: one of the two succeeds within a few tries.
      for (let attempt = 1; ; attempt += 1) {
        const newId = randomUUID();
        if (await sessions.insertDirect(tx.trx, newId, key)) {
          await changes.foundDirect(tx, newId, [caller.id, peer.id]);
          return { id: newId, joined: [{ user: peer, version: 0 }] };
        }
        const session = await sessions.lockDirect(tx.trx, key);
        if (session !== undefined) {
          const rejoined: { user: UserSummary; version: number }[] = [];
          for (const user of pair) {
            if ((await members.find(session.id, user.id, tx.trx)) === undefined) {
              rejoined.push({ user, version: await changes.admit(tx, session, user.id) });
            }
          }
          return { id: session.id, joined: rejoined };
        }
        if (attempt === 3) throw new Error(`the direct session ${key} keeps changing`);
      }
    });
    for (const { user, version } of joined) await events.memberJoined(id, user, version, requestId);
    return id;
  }

  /**
   * Renames a session or changes its visibility; owner only. Nothing changes (nor `version`) when
   * the values are the ones it has.
   */
  async update(caller: Caller, sessionId: string, input: SessionUpdate, requestId?: string): Promise<void> {
    const { transactions, access, sessions, events } = this.#deps;
    const updated = await transactions.run(async (trx) => {
      const locked = await access.lock(trx, caller.id, sessionId);
      requireOwner(caller, sessionId, locked);
      const { session } = locked;
      const changes = {
        ...(input.name !== undefined && input.name !== session.name ? { name: input.name } : {}),
        ...(input.visibility !== undefined && input.visibility !== session.visibility
          ? { visibility: input.visibility }
          : {}),
      };
      if (Object.keys(changes).length === 0) return undefined;
      const version = await sessions.change(trx, sessionId, changes);
      return { ...session, ...changes, version };
    });
    if (updated !== undefined) {
      await events.sessionUpdated(sessionId, updated.name, updated.visibility, updated.version, requestId);
    }
  }

  /** Deletes a session, its members, its messages and its exchange; owner only. */
  async delete(caller: Caller, sessionId: string, requestId?: string): Promise<void> {
    const { transactions, logger, access, changes } = this.#deps;
    await transactionWithBroker(transactions, logger, async (tx) => {
      const locked = await access.lock(tx.trx, caller.id, sessionId);
      requireOwner(caller, sessionId, locked);
      await changes.dissolve(tx, locked.session, requestId);
    });
  }
}
