import { expect } from 'chai';
import { uuidv7 } from '../../src/lib/uuid.ts';

describe('uuidv7', () => {
  it('makes version 7, variant 1 UUIDs that sort by time', () => {
    const first = uuidv7(1_700_000_000_000);
    const second = uuidv7(1_700_000_000_001);
    expect(first).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(first < second).to.equal(true);
    expect(first.replaceAll('-', '').slice(0, 12)).to.equal((1_700_000_000_000).toString(16).padStart(12, '0'));
  });
});
