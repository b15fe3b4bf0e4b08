import type { PresenceReport } from '@warren/shared/contract';
import { expect } from 'chai';
import { PresenceAggregate, type PresenceFlip } from '../../src/presence/presence-aggregate.ts';

const DELAY_MS = 5000;
const GRACE_MS = 2000;
const WARMUP_MS = 20_000;
const HEARTBEAT_MS = 10_000;

const [alice, bob, carol] = ['a1', 'b2', 'c3'];
const [gw1, gw2] = ['gateway-1', 'gateway-2'];

describe('PresenceAggregate', () => {
  let now: number;
  let aggregate: PresenceAggregate;

  const report = (
    instance: string,
    kind: PresenceReport['kind'],
    online: string[] = [],
    offline: string[] = [],
  ): PresenceReport => ({
    instance,
    kind,
    online,
    offline,
    at: new Date(now).toISOString(),
    heartbeat_ms: HEARTBEAT_MS,
  });
  const online = (userId: string): PresenceFlip => ({ userId, online: true, lastSeenAt: null });
  const offline = (userId: string, seenAt: number): PresenceFlip => ({
    userId,
    online: false,
    lastSeenAt: new Date(seenAt),
  });
  /** Moves the clock and ticks. */
  const after = (ms: number) => {
    now += ms;
    return aggregate.tick();
  };

  beforeEach(() => {
    now = Date.parse('2026-12-01T12:00:00Z');
    aggregate = new PresenceAggregate({
      offlineDelayMs: DELAY_MS,
      graceMs: GRACE_MS,
      warmupMs: WARMUP_MS,
      now: () => now,
    });
  });

  /** Past the warmup, with no reports: where most tests start. */
  const warm = () => {
    expect(after(WARMUP_MS)).to.deep.equal({ flips: [], warmedUp: true });
  };

  it('flips a user online at once when a gateway first reports them', () => {
    warm();
    expect(aggregate.apply(report(gw1, 'changes', [alice, bob]))).to.deep.equal([online(alice), online(bob)]);
    expect(aggregate.apply(report(gw1, 'heartbeat', [alice, bob])), 'a heartbeat repeating them').to.deep.equal([]);
    expect(aggregate.isHeld(alice)).to.equal(true);
  });

  it('flips a user offline only once no gateway has held them for the delay, seen when the report said', () => {
    warm();
    aggregate.apply(report(gw1, 'changes', [alice]));
    const closedAt = now;
    aggregate.apply(report(gw1, 'changes', [], [alice]));
    expect(aggregate.isHeld(alice)).to.equal(false);
    expect(after(DELAY_MS - 1).flips).to.deep.equal([]);
    expect(after(1).flips).to.deep.equal([offline(alice, closedAt)]);
    expect(after(DELAY_MS).flips, 'once').to.deep.equal([]);
    expect(aggregate.apply(report(gw1, 'changes', [alice]))).to.deep.equal([online(alice)]);
  });

  it('flips nothing for a reconnect quicker than the delay, on the same gateway or another', () => {
    warm();
    aggregate.apply(report(gw1, 'changes', [alice]));
    aggregate.apply(report(gw1, 'changes', [], [alice]));
    after(DELAY_MS - 1);
    expect(aggregate.apply(report(gw2, 'changes', [alice]))).to.deep.equal([]);
    expect(after(DELAY_MS * 2).flips).to.deep.equal([]);
    aggregate.apply(report(gw2, 'changes', [], [alice]));
    after(1000);
    expect(aggregate.apply(report(gw2, 'changes', [alice]))).to.deep.equal([]);
    expect(after(DELAY_MS).flips).to.deep.equal([]);
  });

  it('keeps a user on two gateways online until the last one lets go', () => {
    warm();
    expect(aggregate.apply(report(gw1, 'changes', [alice]))).to.deep.equal([online(alice)]);
    expect(aggregate.apply(report(gw2, 'changes', [alice]))).to.deep.equal([]);
    aggregate.apply(report(gw1, 'changes', [], [alice]));
    expect(after(DELAY_MS * 2).flips).to.deep.equal([]);
    aggregate.apply(report(gw2, 'goodbye', [], []));
    const goneAt = now;
    expect(after(DELAY_MS).flips).to.deep.equal([offline(alice, goneAt)]);
  });

  it('replaces a gateway’s set with its heartbeat: who is missing from it leaves, who is new comes', () => {
    warm();
    aggregate.apply(report(gw1, 'changes', [alice, bob]));
    expect(aggregate.apply(report(gw1, 'heartbeat', [bob, carol]))).to.deep.equal([online(carol)]);
    const heartbeatAt = now;
    expect(after(DELAY_MS).flips).to.deep.equal([offline(alice, heartbeatAt)]);
  });

  it('drops a gateway silent for 2 × its heartbeat + grace, and its users at once: silent that long, the delay has passed', () => {
    warm();
    aggregate.apply(report(gw1, 'changes', [alice]));
    const lastReport = now;
    aggregate.apply(report(gw2, 'changes', [bob]));
    expect(after(2 * HEARTBEAT_MS).flips).to.deep.equal([]);
    aggregate.apply(report(gw2, 'heartbeat', [bob]));
    expect(aggregate.instances, 'not yet: grace').to.equal(2);
    expect(after(GRACE_MS + 1).flips).to.deep.equal([offline(alice, lastReport)]);
    expect(aggregate.instances).to.equal(1);
    expect(aggregate.isHeld(alice)).to.equal(false);
    expect(aggregate.isHeld(bob)).to.equal(true);
  });

  it('a dead gateway’s users go offline within 2 × heartbeat + grace of its last report, well within 30 s', () => {
    warm();
    aggregate.apply(report(gw1, 'changes', [alice]));
    const bound = 2 * HEARTBEAT_MS + GRACE_MS;
    const flips: PresenceFlip[] = [];
    for (let elapsed = 0; elapsed <= bound; elapsed += 100) flips.push(...after(100).flips);
    expect(flips).to.have.length(1);
    expect(bound, 'HTTP.md: within 30 s').to.be.below(30_000);
  });

  it('keeps the offline delay for a gateway that says goodbye: its users reconnecting elsewhere flip nothing', () => {
    warm();
    aggregate.apply(report(gw1, 'changes', [alice, bob]));
    aggregate.apply(report(gw1, 'goodbye'));
    aggregate.apply(report(gw2, 'changes', [alice]));
    expect(after(DELAY_MS).flips).to.deep.equal([offline(bob, now - DELAY_MS)]);
  });

  it('flips nobody offline during the warmup, and afterwards those who left meanwhile', () => {
    aggregate.apply(report(gw1, 'changes', [alice, bob]));
    aggregate.apply(report(gw1, 'changes', [], [alice]));
    const leftAt = now;
    expect(after(WARMUP_MS - 1)).to.deep.equal({ flips: [], warmedUp: false });
    expect(after(1)).to.deep.equal({ flips: [offline(alice, leftAt)], warmedUp: true });
    expect(after(1).warmedUp, 'once').to.equal(false);
  });

  it('reconciles after the warmup: users stored online whom nobody holds go offline', () => {
    aggregate.apply(report(gw1, 'changes', [alice, bob]));
    warm();
    aggregate.apply(report(gw1, 'changes', [], [bob]));
    expect(aggregate.reconcile([alice, bob, carol]), 'bob is already leaving by the delay').to.deep.equal([
      offline(carol, now),
    ]);
  });

  it('while suspended flips nobody offline nor counts gateways dead; after begin() they have a fresh timeout', () => {
    warm();
    aggregate.apply(report(gw1, 'changes', [alice]));
    aggregate.suspend();
    expect(after(10 * HEARTBEAT_MS).flips).to.deep.equal([]);
    expect(aggregate.instances).to.equal(1);
    aggregate.begin();
    expect(after(WARMUP_MS - 1).flips).to.deep.equal([]);
    expect(aggregate.instances).to.equal(1);
    // The warmup is over; the gateway, not heard since begin(), is dead 2 × 10 s + 2 s after it.
    expect(after(1).warmedUp).to.equal(true);
    expect(after(2 * HEARTBEAT_MS + GRACE_MS - WARMUP_MS + 1).flips.map((flip) => flip.userId)).to.deep.equal([alice]);
    expect(aggregate.instances).to.equal(0);
  });

  it('ignores a goodbye from a gateway it never heard, and an offline for a user the gateway never held', () => {
    warm();
    aggregate.apply(report(gw2, 'goodbye'));
    aggregate.apply(report(gw1, 'changes', [alice]));
    aggregate.apply(report(gw2, 'changes', [], [alice]));
    expect(aggregate.isHeld(alice)).to.equal(true);
    expect(after(DELAY_MS).flips).to.deep.equal([]);
  });
});
