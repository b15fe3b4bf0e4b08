import { expect } from 'chai';
import { batches } from '../../src/lib/batches.ts';

describe('batches', () => {
  it('cuts a list into runs of at most the size, in order', () => {
    expect(batches([1, 2, 3, 4, 5], 2)).to.deep.equal([[1, 2], [3, 4], [5]]);
    expect(batches([1, 2, 3, 4], 2)).to.deep.equal([
      [1, 2],
      [3, 4],
    ]);
  });

  it('makes one run of a short list and none of an empty one', () => {
    expect(batches(['a'], 200)).to.deep.equal([['a']]);
    expect(batches([], 200)).to.deep.equal([]);
  });

  it('keeps 401 ids to three calls of at most 200', () => {
    const ids = Array.from({ length: 401 }, (_, i) => `u${i}`);
    const runs = batches(ids, 200);
    expect(runs.map((run) => run.length)).to.deep.equal([200, 200, 1]);
    expect(runs.flat()).to.deep.equal(ids);
  });

  it('refuses a size that is not a positive integer', () => {
    expect(() => batches([1], 0)).to.throw(RangeError);
    expect(() => batches([1], 1.5)).to.throw(RangeError);
  });
});
