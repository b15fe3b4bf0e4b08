import { EventEmitter } from 'node:events';
import type { PresenceReport } from '@warren/shared/contract';
import type { Logger } from '@warren/shared/logging';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { SessionEvents } from '../broker/session-events.ts';
import type { PresenceStore } from '../stores/presence-store.ts';
import type { PresenceAggregate, PresenceFlip } from './presence-aggregate.ts';

/** How often dead gateways and due offline flips are looked for. */
const TICK_MS = 100;
/** Presence events of one flip in flight at once. */
const PUBLISH_BATCH = 100;
/** The pause after a flip could not be stored (PostgreSQL away) before it is tried again. */
const RETRY_MS = 1000;

/** Options of {@link PresenceTracker}. */
export interface PresenceTrackerOptions {
  aggregate: PresenceAggregate;
  store: PresenceStore;
  events: SessionEvents;
  /** Sessions with more members than this get no `presence` events (their clients ask the route). */
  fanoutMaxMembers: number;
  logger: Logger;
  registry: Registry;
}

/** Events of a {@link PresenceTracker}, for tests. */
export interface PresenceTrackerEvents {
  /**
   * A flip was written: `published` when this instance's statement changed the row, and its
   * events have been published (confirmed or counted as failed); false when the row already said so.
   */
  settled: [flip: PresenceFlip, published: boolean];
}

/**
 * Runs the {@link PresenceAggregate} of this chat-api instance: feeds it the gateways' reports,
 * ticks it, and writes its flips to `chat.presence` with a conditional update, publishing the
 * `presence` event to each of the user's sessions only when its own statement changed the row, so
 * that with several instances each flip is published once. Flips wait in a map by user (latest
 * wins), written one at a time: the backlog is bounded by the number of users, whatever the rate.
 */
export class PresenceTracker extends EventEmitter<PresenceTrackerEvents> {
  readonly #options: PresenceTrackerOptions;
  readonly #log: Logger;
  readonly #pending = new Map<string, PresenceFlip>();
  readonly #flips: Counter<'state'>;
  readonly #skipped: Counter;
  readonly #published: Counter;
  readonly #failures: Counter;
  #draining: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(options: PresenceTrackerOptions) {
    super();
    this.#options = options;
    this.#log = options.logger.child({ module: 'presence' });
    const { registry, aggregate } = options;
    this.#flips = new Counter({
      name: 'warren_chat_api_presence_flips_total',
      help: 'Presence flips this instance stored and published, by new state',
      labelNames: ['state'],
      registers: [registry],
    });
    this.#published = new Counter({
      name: 'warren_chat_api_presence_events_total',
      help: 'presence events published (one per session of the user flipping): the fan-out cost',
      registers: [registry],
    });
    this.#skipped = new Counter({
      name: 'warren_chat_api_presence_sessions_skipped_total',
      help: 'Sessions given no presence event because they have more members than PRESENCE_FANOUT_MAX_MEMBERS',
      registers: [registry],
    });
    this.#failures = new Counter({
      name: 'warren_chat_api_presence_store_failures_total',
      help: 'Presence flips that could not be stored (retried)',
      registers: [registry],
    });
    new Gauge({
      name: 'warren_chat_api_presence_users_held',
      help: 'Users some live ws-gateway instance holds sockets for, as this instance heard',
      registers: [registry],
      collect() {
        this.set(aggregate.heldUsers);
      },
    });
    new Gauge({
      name: 'warren_chat_api_presence_gateways',
      help: 'ws-gateway instances this instance believes alive',
      registers: [registry],
      collect() {
        this.set(aggregate.instances);
      },
    });
  }

  /** Starts ticking. */
  start(): void {
    this.#timer = setInterval(() => this.#tick(), TICK_MS);
    this.#timer.unref();
  }

  /** Stops ticking and waits for the flip being written, if any; flips not written are dropped. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#pending.clear();
    await this.#draining;
  }

  /** A gateway's report (already checked: from the gateways' AMQP user, well-formed). */
  report(report: PresenceReport): void {
    this.#enqueue(this.#options.aggregate.apply(report));
  }

  /** Consuming stopped: reports are missed, so nobody may go offline on what it knows. */
  suspend(): void {
    this.#options.aggregate.suspend();
  }

  /** Consuming (re)started: the aggregate warms up again. */
  begin(): void {
    this.#options.aggregate.begin();
  }

  #tick(): void {
    const { flips, warmedUp } = this.#options.aggregate.tick();
    this.#enqueue(flips);
    if (warmedUp) {
      this.#options.store.online().then(
        (stored) => this.#enqueue(this.#options.aggregate.reconcile(stored)),
        (error: unknown) => this.#log.error({ err: error }, 'could not read the stored presence to reconcile it'),
      );
    }
  }

  #enqueue(flips: readonly PresenceFlip[]): void {
    if (this.#stopped || flips.length === 0) return;
    for (const flip of flips) {
      // Latest wins: a flip back and forth before it was written nets whatever the last one says.
      this.#pending.delete(flip.userId);
      this.#pending.set(flip.userId, flip);
    }
    this.#kick();
  }

  /** Starts writing the pending flips unless it is already; a flip queued as it finished starts it again. */
  #kick(): void {
    if (this.#draining !== undefined || this.#stopped) return;
    this.#draining = this.#drain().finally(() => {
      this.#draining = undefined;
      if (this.#pending.size > 0) this.#kick();
    });
  }

  async #drain(): Promise<void> {
    while (!this.#stopped) {
      const next = this.#pending.values().next();
      if (next.done) return;
      const flip = next.value;
      this.#pending.delete(flip.userId);
      let changed: boolean;
      try {
        changed = await this.#options.store.flip(flip);
      } catch (error) {
        this.#failures.inc();
        this.#log.error({ err: error, userId: flip.userId }, 'presence flip not stored: retrying');
        if (!this.#pending.has(flip.userId)) this.#pending.set(flip.userId, flip);
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
        continue;
      }
      if (changed) await this.#publish(flip);
      this.emit('settled', flip, changed);
    }
  }

  async #publish(flip: PresenceFlip): Promise<void> {
    const { store, events, fanoutMaxMembers } = this.#options;
    this.#flips.inc({ state: flip.online ? 'online' : 'offline' });
    let sessions: Awaited<ReturnType<PresenceStore['sessionsOf']>>;
    try {
      sessions = await store.sessionsOf(flip.userId);
    } catch (error) {
      this.#log.error({ err: error, userId: flip.userId }, 'presence flip stored, its sessions not read: no events');
      return;
    }
    const told = sessions.filter((session) => session.memberCount <= fanoutMaxMembers);
    this.#skipped.inc(sessions.length - told.length);
    // Each is confirmed (SessionEvents logs and counts a failure): the flip is live-only, and the
    // routes answer the stored state to whoever missed it. A batch at a time, so a user in
    // thousands of sessions does not put thousands of publishes in flight at once.
    for (let start = 0; start < told.length; start += PUBLISH_BATCH) {
      await Promise.all(
        told
          .slice(start, start + PUBLISH_BATCH)
          .map((session) => events.presence(session.sessionId, flip.userId, flip.online, flip.lastSeenAt)),
      );
    }
    this.#published.inc(told.length);
  }
}
