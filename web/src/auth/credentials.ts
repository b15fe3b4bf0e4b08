import { ApiError } from '../api/api-error.ts';
import { authApi } from '../api/auth-api.ts';
import type { User } from '../api/types.ts';
import { withWebLock } from '../lib/web-lock.ts';
import { type StoredAuth, storedAuthOf, TokenStore } from './token-store.ts';

/** Thrown when there is no login to use: the user must log in (again). */
export class SignedOutError extends Error {
  constructor() {
    super('signed out');
    this.name = 'SignedOutError';
  }
}

/** What changed about the login. */
export type CredentialsChange =
  | { readonly kind: 'signed-in' | 'renewed'; readonly auth: StoredAuth }
  | { readonly kind: 'signed-out'; readonly expired: boolean };

/** How long to wait before trying a failed scheduled refresh again (the network may be down). */
const RETRY_REFRESH_MS = 5000;

/**
 * The login of this browser: logs in and out, hands out access tokens that are still good, and
 * renews them before they expire. Refresh tokens are single use, and a spent one presented again
 * revokes the whole login (HTTP.md), so every refresh runs under one Web Lock shared by all tabs
 * and re-reads the stored tokens inside it, from IndexedDB, which every tab sees alike: a tab that
 * waited for the lock finds the tokens another tab just renewed and uses them instead of spending
 * the old refresh token a second time.
 */
export class Credentials {
  readonly #store: TokenStore;
  readonly #listeners = new Set<(change: CredentialsChange) => void>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #known: StoredAuth | undefined;

  constructor(store: TokenStore = new TokenStore()) {
    this.#store = store;
    this.#known = store.read();
    store.onOtherTabChange(() => this.#adopt(false));
    this.#schedule();
  }

  /** The logged-in user, if any. */
  get user(): User | undefined {
    return this.#known?.user;
  }

  /** Calls `listener` on every login, renewal and logout, in this tab or another. */
  onChange(listener: (change: CredentialsChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Registers a user and logs in as them. */
  async register(username: string, password: string): Promise<void> {
    await authApi.register(username, password);
    await this.login(username, password);
  }

  async login(username: string, password: string): Promise<void> {
    const pair = await authApi.login(username, password);
    await this.#store.write(storedAuthOf(pair));
    this.#adopt(false);
  }

  /** Forgets the tokens here and in every tab, and revokes the login at the auth service. */
  async logout(): Promise<void> {
    const stored = this.#store.read();
    await this.#store.clear();
    this.#adopt(false);
    // Best effort: the tokens are gone from the browser either way.
    if (stored !== undefined) await authApi.logout(stored.refreshToken).catch(() => undefined);
  }

  /**
   * Ends every login of the user, on every device (`POST /auth/logout-all`): their tokens are
   * refused and their sockets closed from then on. Runs under the refresh lock, so no tab of this
   * browser spends the refresh token meanwhile, and forgets the tokens here and in every tab once
   * auth has answered. A 401 means this login has ended already: there is nothing left to end from
   * here.
   * @throws ApiError when auth cannot be reached or refuses otherwise; the user stays logged in then.
   */
  async logoutEverywhere(): Promise<void> {
    // Renewed first if due: inside the lock this tab cannot renew it.
    await this.accessToken();
    await withWebLock('warren.refresh', async () => {
      const current = await this.#store.readLatest();
      if (current === undefined) return;
      try {
        await authApi.logoutAll(current.accessToken);
      } catch (error) {
        if (!(error instanceof ApiError && error.status === 401)) throw error;
      }
      await this.#store.clear();
    });
    this.#adopt(false);
  }

  /**
   * An access token good for a while yet, renewed first when it is due.
   * @throws SignedOutError when there is no login (or it was revoked); ApiError when auth cannot be reached.
   */
  async accessToken(): Promise<string> {
    const stored = this.#store.read();
    if (stored === undefined) throw new SignedOutError();
    if (Date.now() < stored.renewAt) return stored.accessToken;
    return (await this.#refresh((current) => Date.now() >= current.renewAt)).accessToken;
  }

  /**
   * A new access token after a service refused `rejected` (401): renewed unless another tab has
   * renewed it already.
   */
  async renewAfterRejection(rejected: string): Promise<string> {
    return (await this.#refresh((current) => current.accessToken === rejected)).accessToken;
  }

  async #refresh(due: (current: StoredAuth) => boolean): Promise<StoredAuth> {
    const renewed = await withWebLock('warren.refresh', async () => {
      const current = await this.#store.readLatest();
      if (current === undefined) throw new SignedOutError();
      if (!due(current)) return current;
      try {
        const next = storedAuthOf(await authApi.refresh(current.refreshToken));
        // Committed before the lock is released, so the next holder reads it.
        await this.#store.write(next);
        return next;
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) {
          // Spent, expired or revoked (a logout elsewhere): this login is over.
          await this.#store.clear();
          this.#adopt(true);
          throw new SignedOutError();
        }
        throw error;
      }
    });
    this.#adopt(false, renewed);
    return renewed;
  }

  /**
   * Takes what is stored now (or `now`, read from IndexedDB while this tab's localStorage may lag)
   * as this tab's view, and tells the listeners what changed.
   */
  #adopt(expired: boolean, now: StoredAuth | undefined = this.#store.read()): void {
    const before = this.#known;
    this.#known = now;
    this.#schedule();
    let change: CredentialsChange | undefined;
    if (now === undefined) {
      if (before !== undefined) change = { kind: 'signed-out', expired };
    } else if (before === undefined || before.user.id !== now.user.id) {
      change = { kind: 'signed-in', auth: now };
    } else if (before.accessToken !== now.accessToken) {
      change = { kind: 'renewed', auth: now };
    }
    if (change !== undefined) for (const listener of this.#listeners) listener(change);
  }

  #schedule(): void {
    clearTimeout(this.#timer);
    const known = this.#known;
    if (known === undefined) return;
    this.#timer = setTimeout(
      () => {
        this.accessToken().catch((error: unknown) => {
          if (!(error instanceof SignedOutError)) this.#timer = setTimeout(() => this.#schedule(), RETRY_REFRESH_MS);
        });
      },
      Math.max(0, known.renewAt - Date.now()),
    );
  }
}
