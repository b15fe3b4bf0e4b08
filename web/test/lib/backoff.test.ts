import { expect } from 'chai';
import { backoffDelay } from '../../src/lib/backoff.ts';

describe('backoffDelay', () => {
  const options = { baseMs: 500, maxMs: 30_000 };

  it('doubles its ceiling per attempt up to the maximum', () => {
    expect([0, 1, 2, 3].map((attempt) => backoffDelay(attempt, options, () => 1))).to.deep.equal([
      500, 1000, 2000, 4000,
    ]);
    expect(backoffDelay(20, options, () => 1)).to.equal(30_000);
  });

  it('jitters below the ceiling', () => {
    expect(backoffDelay(3, options, () => 0)).to.equal(0);
    expect(backoffDelay(3, options, () => 0.5)).to.equal(2000);
  });
});
