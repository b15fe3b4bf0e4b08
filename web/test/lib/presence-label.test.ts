import { expect } from 'chai';
import { presenceLabel } from '../../src/lib/presence-label.ts';

describe('presenceLabel', () => {
  const now = Date.UTC(2026, 11, 2, 12, 0, 0);
  const seen = (msAgo: number) => ({ online: false, last_seen_at: new Date(now - msAgo).toISOString() });

  it('says online while online, whatever was last seen', () => {
    expect(presenceLabel({ online: true, last_seen_at: null }, now)).to.equal('online');
    expect(presenceLabel({ online: true, last_seen_at: new Date(now).toISOString() }, now)).to.equal('online');
  });

  it('says offline for someone never seen', () => {
    expect(presenceLabel({ online: false, last_seen_at: null }, now)).to.equal('offline');
  });

  it('says how long ago someone was last seen, in the largest whole unit', () => {
    expect(presenceLabel(seen(20_000), now)).to.equal('last seen just now');
    expect(presenceLabel(seen(5 * 60_000 + 59_000), now)).to.equal('last seen 5 min ago');
    expect(presenceLabel(seen(59 * 60_000), now)).to.equal('last seen 59 min ago');
    expect(presenceLabel(seen(3 * 3_600_000 + 10), now)).to.equal('last seen 3 h ago');
    expect(presenceLabel(seen(30 * 3_600_000), now)).to.equal('last seen yesterday');
    expect(presenceLabel(seen(4 * 86_400_000), now)).to.equal('last seen 4 days ago');
  });

  it('gives the date for a week or more', () => {
    const label = presenceLabel(seen(10 * 86_400_000), now);
    expect(label).to.match(/^last seen on /);
    expect(label).to.include('2026');
  });

  it('takes a time ahead of the browser clock (skew) as just now', () => {
    expect(presenceLabel(seen(-30_000), now)).to.equal('last seen just now');
  });
});
