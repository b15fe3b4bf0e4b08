import { expect } from 'chai';
import { backoffDelay } from '../src/lib/backoff.ts';
import { uuidv7 } from '../src/lib/uuid.ts';

describe('uuidv7', () => {
  it('makes version 7, variant 1 UUIDs that sort by time', () => {
    const first = uuidv7(1_700_000_000_000);
    const second = uuidv7(1_700_000_000_001);
    expect(first).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(first < second).to.equal(true);
    expect(first.replaceAll('-', '').slice(0, 12)).to.equal((1_700_000_000_000).toString(16).padStart(12, '0'));
  });
});

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
