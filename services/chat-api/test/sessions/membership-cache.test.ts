import { expect } from 'chai';
import { MembershipCache } from '../../src/sessions/membership-cache.ts';

describe('MembershipCache', () => {
  let clock = 0;
  const make = (size = 10, ttlMs = 1000) => {
    const cache = new MembershipCache({ size, ttlMs, now: () => clock });
    cache.reset(true);
    return cache;
  };
  beforeEach(() => {
    clock = 0;
  });

  it('holds nothing and remembers nothing until it is reset on', () => {
    const cache = new MembershipCache({ size: 10, ttlMs: 1000, now: () => clock });
    cache.remember('s', 'u', cache.epoch);
    expect(cache.has('s', 'u')).to.equal(false);
    cache.reset(true);
    cache.remember('s', 'u', cache.epoch);
    expect(cache.has('s', 'u')).to.equal(true);
  });

  it('knows a remembered membership of that session and user only', () => {
    const cache = make();
    cache.remember('s1', 'u1', cache.epoch);
    expect(cache.has('s1', 'u1')).to.equal(true);
    expect(cache.has('s1', 'u2')).to.equal(false);
    expect(cache.has('s2', 'u1')).to.equal(false);
  });

  it('believes a membership for its TTL only', () => {
    const cache = make(10, 1000);
    cache.remember('s', 'u', cache.epoch);
    clock = 999;
    expect(cache.has('s', 'u')).to.equal(true);
    clock = 1000;
    expect(cache.has('s', 'u')).to.equal(false);
    expect(cache.size).to.equal(0);
  });

  it('forgets the named users of a session, and only them', () => {
    const cache = make();
    for (const user of ['a', 'b', 'c']) cache.remember('s', user, cache.epoch);
    cache.remember('t', 'a', cache.epoch);
    const forgot: unknown[] = [];
    cache.on('forgot', (...args) => forgot.push(args));
    cache.forget('s', ['a', 'b']);
    expect([cache.has('s', 'a'), cache.has('s', 'b'), cache.has('s', 'c'), cache.has('t', 'a')]).to.deep.equal([
      false,
      false,
      true,
      true,
    ]);
    expect(forgot).to.deep.equal([['s', ['a', 'b']]]);
  });

  it('does not keep a membership read while a change arrived (the epoch moved)', () => {
    const cache = make();
    const before = cache.epoch;
    cache.forget('s', ['u']);
    cache.remember('s', 'u', before);
    expect(cache.has('s', 'u')).to.equal(false);
    cache.remember('s', 'u', cache.epoch);
    expect(cache.has('s', 'u')).to.equal(true);
  });

  it('does not keep a membership read across a lost connection', () => {
    const cache = make();
    const before = cache.epoch;
    cache.reset(false);
    cache.reset(true);
    cache.remember('s', 'u', before);
    expect(cache.has('s', 'u')).to.equal(false);
  });

  it('empties and stops answering when reset off', () => {
    const cache = make();
    cache.remember('s', 'u', cache.epoch);
    const resets: boolean[] = [];
    cache.on('reset', (enabled) => resets.push(enabled));
    cache.reset(false);
    expect(cache.size).to.equal(0);
    expect(cache.has('s', 'u')).to.equal(false);
    cache.remember('s', 'u', cache.epoch);
    expect(cache.size).to.equal(0);
    expect(resets).to.deep.equal([false]);
  });

  it('holds at most its size, dropping the least recently used', () => {
    const cache = make(2);
    cache.remember('s', 'a', cache.epoch);
    cache.remember('s', 'b', cache.epoch);
    expect(cache.has('s', 'a')).to.equal(true);
    cache.remember('s', 'c', cache.epoch);
    expect(cache.size).to.equal(2);
    expect(cache.has('s', 'b')).to.equal(false);
    expect(cache.has('s', 'a')).to.equal(true);
    expect(cache.has('s', 'c')).to.equal(true);
  });

  it('refuses a size below one', () => {
    expect(() => new MembershipCache({ size: 0, ttlMs: 1 })).to.throw(RangeError);
  });
});
