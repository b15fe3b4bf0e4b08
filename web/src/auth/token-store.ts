import type { TokenPair, User } from '../api/types.ts';
import { IdbCell } from '../lib/idb-cell.ts';

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

/** The value as stored, if it has the shape of a {@link StoredAuth}. */
function storedAuthFrom(value: unknown): StoredAuth | undefined {
  const auth = value as Partial<StoredAuth> | null | undefined;
  if (
    typeof auth?.accessToken === 'string' &&
    typeof auth.refreshToken === 'string' &&
    typeof auth.accessExpiresAt === 'number' &&
    typeof auth.renewAt === 'number' &&
    typeof auth.user?.id === 'string'
  ) {
    return auth as StoredAuth;
  }
  return undefined;
}

/**
 * The tokens, shared by every tab so that a reload (and every other tab) stays logged in, in two
 * places. localStorage answers at once, and tells other tabs of a change, but Chromium brings each
 * renderer's copy up to date asynchronously, so a tab may read a value another tab has just
 * replaced. IndexedDB answers asynchronously but consistently, so the decision to spend the single
 * use refresh token is taken on its copy ({@link TokenStore.readLatest}).
 */
export class TokenStore {
  readonly #storage: Storage;
  readonly #shared: IdbCell<StoredAuth> | undefined;

  constructor(
    storage: Storage = localStorage,
    shared: IdbCell<StoredAuth> | undefined = IdbCell.available ? new IdbCell('warren', KEY) : undefined,
  ) {
    this.#storage = storage;
    this.#shared = shared;
  }

  /** What this tab's localStorage holds: at once, though maybe a moment behind another tab's write. */
  read(): StoredAuth | undefined {
    const text = this.#storage.getItem(KEY);
    if (text === null) return undefined;
    try {
      return storedAuthFrom(JSON.parse(text));
    } catch {
      // Not ours, or from an older client: as good as logged out.
      return undefined;
    }
  }

  /**
   * What the last write of any tab stored: IndexedDB's copy, or localStorage's where IndexedDB
   * has none (it is unavailable, or the login predates it).
   */
  async readLatest(): Promise<StoredAuth | undefined> {
    if (this.#shared === undefined) return this.read();
    const shared = await this.#shared.get().catch(() => undefined);
    return storedAuthFrom(shared) ?? this.read();
  }

  /** Stores the tokens for every tab; resolves once IndexedDB has committed them. */
  async write(auth: StoredAuth): Promise<void> {
    // IndexedDB first: a tab told of the change by localStorage's event then finds it there too.
    await this.#shared?.set(auth).catch(() => undefined);
    this.#storage.setItem(KEY, JSON.stringify(auth));
  }

  /** Forgets the tokens in every tab: at once here, and in IndexedDB once the promise resolves. */
  async clear(): Promise<void> {
    this.#storage.removeItem(KEY);
    await this.#shared?.delete().catch(() => undefined);
  }

  /** Calls `listener` when another tab changes the tokens (the `storage` event never fires in the tab that wrote). */
  onOtherTabChange(listener: () => void): void {
    window.addEventListener('storage', (event) => {
      if (event.key === KEY || event.key === null) listener();
    });
  }
}
