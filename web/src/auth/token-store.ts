import type { TokenPair, User } from '../api/types.ts';

/** What a login leaves in the browser, shared by every tab of the origin. */
export interface StoredAuth {
  readonly user: User;
  readonly accessToken: string;
  /** When the access token expires, in milliseconds since 1970 by this browser's clock. */
  readonly accessExpiresAt: number;
  /** When to get a new access token: a quarter of its life (at most a minute) before it expires. */
  readonly renewAt: number;
  /** Single use: whoever spends it must store the new one before anyone else reads it. */
  readonly refreshToken: string;
}

const KEY = 'warren.auth';

/** The pair a login or a refresh answered, as it is stored. */
export function storedAuthOf(pair: TokenPair, now: number = Date.now()): StoredAuth {
  const lifetimeMs = pair.expires_in * 1000;
  return {
    user: pair.user,
    accessToken: pair.access_token,
    accessExpiresAt: now + lifetimeMs,
    renewAt: now + lifetimeMs - Math.min(60_000, lifetimeMs / 4),
    refreshToken: pair.refresh_token,
  };
}

/**
 * The tokens in localStorage, so a reload (and every other tab) stays logged in. Always read
 * afresh, never cached: another tab may have refreshed them a moment ago.
 */
export class TokenStore {
  readonly #storage: Storage;

  constructor(storage: Storage = localStorage) {
    this.#storage = storage;
  }

  read(): StoredAuth | undefined {
    const text = this.#storage.getItem(KEY);
    if (text === null) return undefined;
    try {
      const value = JSON.parse(text) as Partial<StoredAuth>;
      if (
        typeof value.accessToken === 'string' &&
        typeof value.refreshToken === 'string' &&
        typeof value.accessExpiresAt === 'number' &&
        typeof value.renewAt === 'number' &&
        typeof value.user?.id === 'string'
      ) {
        return value as StoredAuth;
      }
    } catch {
      // Not ours, or from an older client: as good as logged out.
    }
    return undefined;
  }

  write(auth: StoredAuth): void {
    this.#storage.setItem(KEY, JSON.stringify(auth));
  }

  clear(): void {
    this.#storage.removeItem(KEY);
  }

  /** Calls `listener` when another tab changes the tokens (the `storage` event never fires in the tab that wrote). */
  onOtherTabChange(listener: () => void): void {
    window.addEventListener('storage', (event) => {
      if (event.key === KEY || event.key === null) listener();
    });
  }
}
