import { expect } from 'chai';
import { DenyList } from '../../src/tokens/deny-list.ts';

const SKEW_MS = 30_000;
const TTL_SEC = 900;

describe('DenyList', () => {
  let now: number;
  const list = (maxEntries = 10) => new DenyList({ maxEntries, skewMarginMs: SKEW_MS, now: () => now });
  const at = (ms: number) => new Date(ms);

  beforeEach(() => {
    now = Date.parse('2026-12-01T12:00:00Z');
  });

  it('is not ready until auth’s record was merged in, and denies what it heard before', () => {
    const denied = list();
    denied.add({ sid: 'a', endedAt: at(now) });
    expect(denied.ready).to.equal(false);
    expect(denied.has('a')).to.equal(true);
    denied.rebuild([{ sid: 'b', endedAt: at(now - 1000) }], TTL_SEC);
    expect(denied.ready).to.equal(true);
    expect(denied.has('a')).to.equal(true);
    expect(denied.has('b')).to.equal(true);
    expect(denied.has('c')).to.equal(false);
  });

  it('keeps a login until its last token has expired, plus the skew margin, then drops it', () => {
    const denied = list();
    denied.rebuild([], TTL_SEC);
    denied.add({ sid: 'a', endedAt: at(now) });
    now += TTL_SEC * 1000 + SKEW_MS - 1;
    expect(denied.has('a')).to.equal(true);
    now += 1;
    expect(denied.has('a')).to.equal(false);
    expect(denied.size).to.equal(0);
  });

  it('keeps everything while the tokens’ lifetime is unknown, and expires by it once auth states it', () => {
    const denied = list();
    denied.add({ sid: 'old', endedAt: at(now - 10 * 3600_000) });
    now += 24 * 3600_000;
    expect(denied.has('old')).to.equal(true);
    denied.rebuild([], TTL_SEC);
    expect(denied.has('old')).to.equal(false);
  });

  it('does not take a login whose tokens have all expired', () => {
    const denied = list();
    denied.rebuild([{ sid: 'stale', endedAt: at(now - TTL_SEC * 1000 - SKEW_MS) }], TTL_SEC);
    expect(denied.size).to.equal(0);
    expect(denied.has('stale')).to.equal(false);
  });

  it('keeps the latest end of a login told twice', () => {
    const denied = list();
    denied.rebuild([], TTL_SEC);
    denied.add({ sid: 'a', endedAt: at(now - 60_000) });
    denied.add({ sid: 'a', endedAt: at(now) });
    denied.add({ sid: 'a', endedAt: at(now - 120_000) });
    expect(denied.size).to.equal(1);
    now += TTL_SEC * 1000 + SKEW_MS - 1;
    expect(denied.has('a')).to.equal(true);
  });

  it('at its bound drops expired logins first, then the oldest heard, and says so', () => {
    const denied = list(3);
    denied.rebuild([], TTL_SEC);
    const evicted: string[] = [];
    denied.on('evicted', (sid) => evicted.push(sid));
    denied.add({ sid: 'expiring', endedAt: at(now - TTL_SEC * 1000) });
    denied.add({ sid: 'b', endedAt: at(now) });
    denied.add({ sid: 'c', endedAt: at(now) });
    now += SKEW_MS;
    denied.add({ sid: 'd', endedAt: at(now) });
    expect(evicted, 'an expired entry makes room without an eviction').to.deep.equal([]);
    denied.add({ sid: 'e', endedAt: at(now) });
    expect(evicted).to.deep.equal(['b']);
    expect(denied.size).to.equal(3);
    expect(['b', 'c', 'd', 'e'].map((sid) => denied.has(sid))).to.deep.equal([false, true, true, true]);
  });

  it('looks back over one token lifetime plus the margin', () => {
    expect(list().lookbackMs(TTL_SEC)).to.equal(TTL_SEC * 1000 + SKEW_MS);
  });
});
