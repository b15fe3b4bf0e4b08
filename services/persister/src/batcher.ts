/** The timer functions a {@link Batcher} uses; tests pass a clock they advance by hand. */
export interface BatchTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Options of {@link Batcher}. */
export interface BatcherOptions<T> {
  /** A batch closes as soon as it holds this many items (as `weightOf` counts them). */
  maxSize: number;
  /**
   * How much an item counts toward `maxSize`. @defaultValue 1 for every item
   */
  weightOf?: (item: T) => number;
  /** …or this long after its first item was added, whichever comes first. */
  maxWaitMs: number;
  /** Receives each closed batch, oldest items first. */
  onBatch: (items: T[]) => void;
  /** @defaultValue Node's timers */
  timers?: BatchTimers;
}

const nodeTimers: BatchTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * Groups items into batches that close at `maxSize` items or `maxWaitMs` after the first one,
 * so a busy queue is written in large transactions and a quiet one still within `maxWaitMs`.
 * Knows nothing of AMQP or SQL.
 */
export class Batcher<T> {
  readonly #maxSize: number;
  readonly #maxWaitMs: number;
  readonly #onBatch: (items: T[]) => void;
  readonly #timers: BatchTimers;
  readonly #weightOf: (item: T) => number;
  #items: T[] = [];
  #weight = 0;
  #timer: unknown = null;

  constructor(options: BatcherOptions<T>) {
    if (!Number.isInteger(options.maxSize) || options.maxSize < 1) {
      throw new RangeError(`maxSize must be a positive integer, got ${options.maxSize}`);
    }
    if (!Number.isFinite(options.maxWaitMs) || options.maxWaitMs < 0) {
      throw new RangeError(`maxWaitMs must be a non-negative number, got ${options.maxWaitMs}`);
    }
    this.#maxSize = options.maxSize;
    this.#maxWaitMs = options.maxWaitMs;
    this.#onBatch = options.onBatch;
    this.#timers = options.timers ?? nodeTimers;
    this.#weightOf = options.weightOf ?? (() => 1);
  }

  /** Items in the open batch. */
  get size(): number {
    return this.#items.length;
  }

  /** Adds an item; closes the batch when it is full, starts its clock when it is the first. */
  add(item: T): void {
    this.#items.push(item);
    this.#weight += this.#weightOf(item);
    if (this.#weight >= this.#maxSize) this.flush();
    else if (this.#items.length === 1) this.#timer = this.#timers.setTimeout(() => this.flush(), this.#maxWaitMs);
  }

  /** Closes the open batch now (on shutdown), if it holds anything. */
  flush(): void {
    const items = this.discard();
    if (items.length > 0) this.#onBatch(items);
  }

  /** Empties the open batch without closing it: its items will not be written (their deliveries are gone). */
  discard(): T[] {
    if (this.#timer !== null) this.#timers.clearTimeout(this.#timer);
    this.#timer = null;
    const items = this.#items;
    this.#items = [];
    this.#weight = 0;
    return items;
  }
}
