import { expect } from 'chai';
import { Batcher, type BatchTimers } from '../src/batcher.ts';

/** Timers that fire only when the test says so: time is a value here, never a wait. */
class ManualTimers implements BatchTimers {
  readonly pending = new Map<number, { callback: () => void; ms: number }>();
  #next = 0;

  setTimeout(callback: () => void, ms: number): number {
    this.#next += 1;
    this.pending.set(this.#next, { callback, ms });
    return this.#next;
  }

  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  /** Fires every pending timer. */
  fire(): void {
    const timers = [...this.pending.values()];
    this.pending.clear();
    for (const { callback } of timers) callback();
  }
}

function batcher(maxSize: number, maxWaitMs = 50) {
  const timers = new ManualTimers();
  const batches: number[][] = [];
  const instance = new Batcher<number>({ maxSize, maxWaitMs, timers, onBatch: (items) => batches.push(items) });
  return { instance, timers, batches };
}

describe('Batcher', () => {
  it('closes a batch as soon as it holds maxSize items', () => {
    const { instance, batches, timers } = batcher(3);
    for (let i = 1; i <= 7; i += 1) instance.add(i);
    expect(batches).to.deep.equal([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(instance.size).to.equal(1);
    // The full batches' clocks were stopped; only the open batch's runs.
    expect(timers.pending.size).to.equal(1);
  });

  it('counts items by their weight: weightless ones ride along until the batch closes', () => {
    const timers = new ManualTimers();
    const batches: number[][] = [];
    // Odd numbers weigh nothing, as the persister's changes do beside its messages.
    const instance = new Batcher<number>({
      maxSize: 2,
      maxWaitMs: 50,
      timers,
      weightOf: (item) => (item % 2 === 0 ? 1 : 0),
      onBatch: (items) => batches.push(items),
    });
    for (const item of [1, 2, 3, 5, 4, 6, 7]) instance.add(item);
    expect(batches).to.deep.equal([[1, 2, 3, 5, 4]]);
    expect(instance.size).to.equal(2);
    timers.fire();
    expect(batches.at(-1)).to.deep.equal([6, 7]);
  });

  it('closes a batch maxWaitMs after its first item, with whatever it holds', () => {
    const { instance, batches, timers } = batcher(10, 50);
    instance.add(1);
    instance.add(2);
    expect([...timers.pending.values()].map((t) => t.ms)).to.deep.equal([50]);
    expect(batches).to.deep.equal([]);
    timers.fire();
    expect(batches).to.deep.equal([[1, 2]]);
    expect(instance.size).to.equal(0);
  });

  it('starts the clock of a new batch with its first item only', () => {
    const { instance, timers } = batcher(10);
    expect(timers.pending.size).to.equal(0);
    instance.add(1);
    instance.add(2);
    instance.add(3);
    expect(timers.pending.size).to.equal(1);
  });

  it('starts a fresh clock for the batch after one closed by time', () => {
    const { instance, batches, timers } = batcher(10);
    instance.add(1);
    timers.fire();
    instance.add(2);
    expect(timers.pending.size).to.equal(1);
    timers.fire();
    expect(batches).to.deep.equal([[1], [2]]);
  });

  it('closes a batch of one at once when maxSize is 1', () => {
    const { instance, batches, timers } = batcher(1);
    instance.add(1);
    instance.add(2);
    expect(batches).to.deep.equal([[1], [2]]);
    expect(timers.pending.size).to.equal(0);
  });

  it('flush closes the open batch now, and does nothing when it is empty', () => {
    const { instance, batches, timers } = batcher(10);
    instance.flush();
    expect(batches).to.deep.equal([]);
    instance.add(1);
    instance.flush();
    expect(batches).to.deep.equal([[1]]);
    expect(timers.pending.size).to.equal(0);
  });

  it('discard empties the open batch without closing it', () => {
    const { instance, batches, timers } = batcher(10);
    instance.add(1);
    instance.add(2);
    expect(instance.discard()).to.deep.equal([1, 2]);
    expect(batches).to.deep.equal([]);
    expect(timers.pending.size).to.equal(0);
    expect(instance.size).to.equal(0);
  });

  it('refuses a size below 1 and a negative wait', () => {
    const onBatch = () => undefined;
    expect(() => new Batcher({ maxSize: 0, maxWaitMs: 50, onBatch })).to.throw(RangeError);
    expect(() => new Batcher({ maxSize: 1.5, maxWaitMs: 50, onBatch })).to.throw(RangeError);
    expect(() => new Batcher({ maxSize: 10, maxWaitMs: -1, onBatch })).to.throw(RangeError);
  });

  it('closes by time with real timers too', async () => {
    const batches: number[][] = [];
    let closed: () => void = () => undefined;
    const done = new Promise<void>((resolve) => {
      closed = resolve;
    });
    const instance = new Batcher<number>({
      maxSize: 10,
      maxWaitMs: 0,
      onBatch: (items) => {
        batches.push(items);
        closed();
      },
    });
    instance.add(1);
    instance.add(2);
    await done;
    expect(batches).to.deep.equal([[1, 2]]);
  });
});
