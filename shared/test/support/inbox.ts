/** Values that arrive over time (deliveries, events), taken in order with {@link Inbox.next}. */
export class Inbox<T> {
  readonly #queued: T[] = [];
  readonly #waiting: ((value: T) => void)[] = [];
  /** Everything that arrived so far, taken or not. */
  readonly all: T[] = [];

  /** Adds an arrival: to the oldest waiter if any, else to the queue. */
  readonly push = (value: T): void => {
    this.all.push(value);
    const waiter = this.#waiting.shift();
    if (waiter) waiter(value);
    else this.#queued.push(value);
  };

  /** The next arrival not taken yet. */
  next(): Promise<T> {
    const value = this.#queued.shift();
    if (value !== undefined) return Promise.resolve(value);
    return new Promise((resolve) => this.#waiting.push(resolve));
  }
}
