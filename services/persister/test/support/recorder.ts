import type { BatchStored, DeadLettered, EventAcked, Persister } from '../../src/persister.ts';

/**
 * Records what a persister reports, so tests await outcomes (never sleep): {@link Recorder.until}
 * resolves as soon as a condition over the records holds.
 */
export class Recorder {
  readonly batches: BatchStored[] = [];
  readonly deadLetters: DeadLettered[] = [];
  readonly events: EventAcked[] = [];
  readonly storeFailures: unknown[] = [];
  /** Sizes of the `batch-dropped` reports. */
  readonly dropped: number[] = [];
  /** How many times each id was newly stored. */
  readonly storedCount = new Map<string, number>();
  readonly #waiters = new Set<() => void>();

  constructor(persister: Persister) {
    persister.on('batch-stored', (batch) => {
      this.batches.push(batch);
      for (const id of batch.storedIds) this.storedCount.set(id, (this.storedCount.get(id) ?? 0) + 1);
      this.#changed();
    });
    persister.on('dead-lettered', (letter) => {
      this.deadLetters.push(letter);
      this.#changed();
    });
    persister.on('event-acked', (event) => {
      this.events.push(event);
      this.#changed();
    });
    persister.on('store-failed', (error) => {
      this.storeFailures.push(error);
      this.#changed();
    });
    persister.on('batch-dropped', (size) => {
      this.dropped.push(size);
      this.#changed();
    });
  }

  #changed(): void {
    for (const waiter of this.#waiters) waiter();
  }

  /** Resolves once `condition` holds (checked now and after every report). */
  until(condition: () => boolean): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter = () => {
        if (!condition()) return;
        this.#waiters.delete(waiter);
        resolve();
      };
      this.#waiters.add(waiter);
    });
  }

  /** Resolves once every id was stored. */
  stored(...ids: string[]): Promise<void> {
    return this.until(() => ids.every((id) => this.storedCount.has(id)));
  }

  /** The dead letter report of `messageId`, once there is one. */
  async deadLettered(messageId: string): Promise<DeadLettered> {
    await this.until(() => this.deadLetters.some((letter) => letter.messageId === messageId));
    return this.deadLetters.find((letter) => letter.messageId === messageId) as DeadLettered;
  }
}
