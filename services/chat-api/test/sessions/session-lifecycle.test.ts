import { expect } from 'chai';
import { defaultSessionName } from '../../src/sessions/session-lifecycle.ts';
import { directKeyOf } from '../../src/stores/session-store.ts';

describe('session naming and keys', () => {
  it('names a group made without a name after its members, the creator first', () => {
    expect(defaultSessionName(['alice', 'bob', 'carol'])).to.equal('alice, bob, carol');
  });

  it('cuts a long default name to the longest session name', () => {
    const name = defaultSessionName(Array.from({ length: 20 }, (_, i) => `member_${i}`));
    expect([...name]).to.have.length(100);
    expect(name.endsWith('…')).to.equal(true);
  });

  it('gives a pair of users the same direct key whoever asks', () => {
    const [a, b] = ['6f1c2d3e-0000-4000-8000-000000000001', '0a1b2c3d-0000-4000-8000-000000000002'];
    expect(directKeyOf(a, b)).to.equal(directKeyOf(b, a));
    expect(directKeyOf(a, b)).to.equal(`${b}:${a}`);
  });
});
