import { expect } from 'chai';
import { PostRateLimit } from '../../src/messages/post-rate-limit.ts';

describe('PostRateLimit', () => {
  let now = 0;
  beforeEach(() => {
    now = 5_000_000;
  });
  const limit = (ratePerSec: number, burst: number) => new PostRateLimit({ ratePerSec, burst, now: () => now });

  it('allows a burst, then refuses saying when the next post is allowed', () => {
    const posts = limit(20, 3);
    expect([posts.take('alice'), posts.take('alice'), posts.take('alice')].every((d) => d.allowed)).to.equal(true);
    expect(posts.take('alice')).to.deep.equal({ allowed: false, retryAfterMs: 50 });
  });

  it('refills at the sustained rate', () => {
    const posts = limit(20, 1);
    expect(posts.take('alice').allowed).to.equal(true);
    now += 49;
    expect(posts.take('alice')).to.deep.equal({ allowed: false, retryAfterMs: 1 });
    now += 1;
    expect(posts.take('alice').allowed).to.equal(true);
  });

  it('never holds more than the burst, however long the user was quiet', () => {
    const posts = limit(10, 2);
    posts.take('alice');
    now += 3_600_000;
    expect(posts.take('alice').allowed).to.equal(true);
    expect(posts.take('alice').allowed).to.equal(true);
    expect(posts.take('alice').allowed).to.equal(false);
  });

  it('limits each user on their own', () => {
    const posts = limit(1, 1);
    expect(posts.take('alice').allowed).to.equal(true);
    expect(posts.take('bob').allowed).to.equal(true);
    expect(posts.take('alice').allowed).to.equal(false);
  });

  it('refuses a rate or burst that allows nothing', () => {
    expect(() => limit(0, 1)).to.throw(RangeError);
    expect(() => limit(1, 0)).to.throw(RangeError);
  });
});
