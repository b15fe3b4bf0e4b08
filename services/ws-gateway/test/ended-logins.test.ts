import { expect } from 'chai';
import { EndedLogins } from '../src/ended-logins.ts';

describe('EndedLogins', () => {
  const clock = () => {
    let now = 1_000_000;
    return { now: () => now, advance: (ms: number) => (now += ms) };
  };

  it('remembers a login for keepMs from when its end was heard, then forgets it', () => {
    const time = clock();
    const sizes: number[] = [];
    const ended = new EndedLogins({ keepMs: 1000, max: 10, now: time.now, onSize: (size) => sizes.push(size) });
    ended.add('a');
    time.advance(500);
    ended.add('b');
    expect(ended.has('a')).to.equal(true);
    expect(ended.has('c')).to.equal(false);
    time.advance(500);
    expect(ended.has('a')).to.equal(false);
    expect(ended.has('b')).to.equal(true);
    time.advance(500);
    expect(ended.size).to.equal(0);
    expect(sizes).to.deep.equal([1, 2, 1, 0]);
  });

  it('counts a login heard again from the second time', () => {
    const time = clock();
    const ended = new EndedLogins({ keepMs: 1000, max: 10, now: time.now });
    ended.add('a');
    ended.add('b');
    time.advance(900);
    ended.add('a');
    time.advance(200);
    expect(ended.has('b')).to.equal(false);
    expect(ended.has('a')).to.equal(true);
  });

  it('holds at most max, forgetting the oldest first and reporting it', () => {
    const time = clock();
    let evicted = 0;
    const ended = new EndedLogins({ keepMs: 1000, max: 2, now: time.now, onEvicted: () => (evicted += 1) });
    for (const sid of ['a', 'b', 'c']) ended.add(sid);
    expect([ended.has('a'), ended.has('b'), ended.has('c')]).to.deep.equal([false, true, true]);
    expect(ended.size).to.equal(2);
    expect(evicted).to.equal(1);
  });

  it("is filled once auth's record is merged in, which remembers new logins from now and prolongs none", () => {
    const time = clock();
    const ended = new EndedLogins({ keepMs: 1000, max: 10, now: time.now });
    expect(ended.filled).to.equal(false);
    ended.add('a');
    time.advance(600);
    ended.fill(['a', 'b']);
    expect(ended.filled).to.equal(true);
    time.advance(400);
    expect([ended.has('a'), ended.has('b')]).to.deep.equal([false, true]);
    time.advance(600);
    expect(ended.has('b')).to.equal(false);
    ended.fill([]);
    expect(ended.filled).to.equal(true);
  });
});
