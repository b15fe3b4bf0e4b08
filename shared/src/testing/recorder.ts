import { inspect } from 'node:util';

/** Options of a {@link Recorder}'s waits. */
export interface WaitOptions {
  /** Give up after this long. @defaultValue the recorder's `timeoutMs` */
  timeoutMs?: number;
  /** What is awaited, for the failure message. */
  what?: string;
}

/** Options of a {@link Recorder}. */
export interface RecorderOptions {
  /** Names the recorder in failure messages. @defaultValue 'recorder' */
  name?: string;
  /** Default bound of every wait. @defaultValue 20000 */
  timeoutMs?: number;
}

/** How many of the latest records a failure message shows. */
const SHOWN = 5;

/**
 * Records values as they arrive (deliveries, frames, events) so that a test awaits the one it wants,
 * whether it came already or comes later; never a sleep, never a poll. Every wait is bounded and
 * fails saying what it waited for and what was recorded instead.
 */
export class Recorder<T> {
  /** Everything recorded so far, in order. */
  readonly all: T[] = [];
  readonly #name: string;
  readonly #timeoutMs: number;
  readonly #waiters = new Set<() => void>();
  /** How many records {@link Recorder.next} has handed out. */
  #taken = 0;

  constructor(options: RecorderOptions = {}) {
    this.#name = options.name ?? 'recorder';
    this.#timeoutMs = options.timeoutMs ?? 20_000;
  }

  /** Records a value and wakes the waits it may satisfy; bound, so it can be passed as a listener. */
  readonly push = (value: T): void => {
    this.all.push(value);
    for (const waiter of [...this.#waiters]) waiter();
  };

  /** Resolves once `condition` holds, checked now and after every record. */
  until(condition: () => boolean, options: WaitOptions = {}): Promise<void> {
    if (condition()) return Promise.resolve();
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    return new Promise((resolve, reject) => {
      const waiter = () => {
        if (!condition()) return;
        this.#waiters.delete(waiter);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(this.#failure(options.what ?? 'the condition', timeoutMs)));
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  /** The first record that matches, now or once it arrives. */
  async waitFor(match: (value: T) => boolean, options: WaitOptions = {}): Promise<T> {
    let found: T | undefined;
    await this.until(
      () => {
        found = this.all.find(match);
        return found !== undefined;
      },
      { what: 'a matching record', ...options },
    );
    return found as T;
  }

  /** The next record that no earlier call took: records one by one, in order. */
  async next(options: WaitOptions = {}): Promise<T> {
    const index = this.#taken++;
    await this.until(() => this.all.length > index, { what: `record #${index + 1}`, ...options });
    return this.all[index] as T;
  }

  #failure(what: string, timeoutMs: number): string {
    const latest = this.all.slice(-SHOWN).map((value) => inspect(value, { depth: 3, breakLength: Infinity }));
    return `${this.#name}: ${what} did not come within ${timeoutMs} ms; ${this.all.length} recorded${
      latest.length === 0 ? '' : `, the latest:\n  ${latest.join('\n  ')}`
    }`;
  }
}
