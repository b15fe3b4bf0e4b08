import { Recorder as Reports } from '@warren/shared/testing';
import type { BatchStored, DeadLettered, EventAcked, Persister } from '../../src/persister.ts';

/**
 * Records what a persister reports, sorted by kind, so tests await outcomes (never sleep):
 * {@link Recorder.until} resolves as soon as a condition over the records holds.
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
  /** Every report in order, which the waits are woken by. */
  readonly #reports = new Reports<unknown>({ name: 'persister recorder' });

  constructor(persister: Persister) {
    persister.on('batch-stored', (batch) => {
      this.batches.push(batch);
      for (const id of batch.storedIds) this.storedCount.set(id, (this.storedCount.get(id) ?? 0) + 1);
      this.#reports.push(batch);
    });
    const into =
      <T>(list: T[]) =>
      (report: T) => {
        list.push(report);
        this.#reports.push(report);
      };
    persister.on('dead-lettered', into(this.deadLetters));
    persister.on('event-acked', into(this.events));
    persister.on('store-failed', into(this.storeFailures));
    persister.on('batch-dropped', into(this.dropped));
  }

  /** Resolves once `condition` holds (checked now and after every report). */
  until(condition: () => boolean, what?: string): Promise<void> {
    return this.#reports.until(condition, { what });
  }

  /** Resolves once every id was stored. */
  stored(...ids: string[]): Promise<void> {
    return this.until(() => ids.every((id) => this.storedCount.has(id)), `storing ${ids.join(', ')}`);
  }

  /** The dead letter report of `messageId`, once there is one. */
  async deadLettered(messageId: string): Promise<DeadLettered> {
    await this.until(
      () => this.deadLetters.some((letter) => letter.messageId === messageId),
      `dead letter ${messageId}`,
    );
    return this.deadLetters.find((letter) => letter.messageId === messageId) as DeadLettered;
  }
}
