import { expect } from 'chai';
import { retryDelayMs } from '../src/backoff.ts';

describe('retryDelayMs', () => {
  it('starts at the initial pause and doubles up to the longest', () => {
    const delays = Array.from({ length: 9 }, (_, i) => retryDelayMs(i + 1, 100, 5000));
    expect(delays).to.deep.equal([100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000]);
  });

  it('stays at the longest pause however many attempts failed', () => {
    expect(retryDelayMs(10_000, 100, 5000)).to.equal(5000);
  });
});
