import { expect } from 'chai';
import { KeyedQueue } from '../../src/lib/keyed-queue.ts';

/** A promise and the functions that settle it. */
function deferred() {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  return { promise, resolve, reject };
}

describe('KeyedQueue', () => {
  it('starts a task of a key only once the one before it settled, in order', async () => {
    const queue = new KeyedQueue();
    const started: string[] = [];
    const first = deferred();
    const second = deferred();
    const one = queue.run('s', async () => {
      started.push('one');
      await first.promise;
    });
    const two = queue.run('s', async () => {
      started.push('two');
      await second.promise;
    });
    const three = queue.run('s', async () => {
      started.push('three');
    });
    await Promise.resolve();
    expect(started).to.deep.equal(['one']);
    first.reject(new Error('refused'));
    await one.catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 0));
    // A rejected task does not hold back the next one.
    expect(started).to.deep.equal(['one', 'two']);
    second.resolve();
    await Promise.all([two, three]);
    expect(started).to.deep.equal(['one', 'two', 'three']);
  });

  it('runs tasks of different keys at once', async () => {
    const queue = new KeyedQueue();
    const started: string[] = [];
    const held = deferred();
    const a = queue.run('a', async () => {
      started.push('a');
      await held.promise;
    });
    const b = queue.run('b', async () => {
      started.push('b');
    });
    await b;
    expect(started).to.deep.equal(['a', 'b']);
    held.resolve();
    await a;
  });
});
