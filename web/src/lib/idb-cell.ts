/**
 * One value kept in IndexedDB under a fixed key. Unlike localStorage, which Chromium caches in each
 * renderer process and brings up to date asynchronously, a committed IndexedDB transaction is seen
 * by every later transaction of every tab: what one tab wrote before releasing a Web Lock, the next
 * holder reads.
 */
export class IdbCell<T> {
  readonly #database: string;
  readonly #key: string;
  #opened: Promise<IDBDatabase> | undefined;

  constructor(database: string, key: string) {
    this.#database = database;
    this.#key = key;
  }

  /** Whether this browser offers IndexedDB at all (some private modes do not). */
  static get available(): boolean {
    return typeof indexedDB !== 'undefined';
  }

  async get(): Promise<T | undefined> {
    return (await this.#run('readonly', (store) => store.get(this.#key))) as T | undefined;
  }

  /** Resolves once the value is committed. */
  async set(value: T): Promise<void> {
    await this.#run('readwrite', (store) => store.put(value, this.#key));
  }

  async delete(): Promise<void> {
    await this.#run('readwrite', (store) => store.delete(this.#key));
  }

  #open(): Promise<IDBDatabase> {
    this.#opened ??= new Promise((resolve, reject) => {
      const request = indexedDB.open(this.#database, 1);
      request.onupgradeneeded = () => request.result.createObjectStore('cells');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    return this.#opened;
  }

  async #run(mode: IDBTransactionMode, operation: (store: IDBObjectStore) => IDBRequest): Promise<unknown> {
    const database = await this.#open();
    return new Promise((resolve, reject) => {
      const transaction = database.transaction('cells', mode);
      const request = operation(transaction.objectStore('cells'));
      // Resolved on completion, not on the request's success: only then is a write committed.
      transaction.oncomplete = () => resolve(request.result);
      transaction.onerror = () => reject(transaction.error);
      transaction.onabort = () => reject(transaction.error);
    });
  }
}
