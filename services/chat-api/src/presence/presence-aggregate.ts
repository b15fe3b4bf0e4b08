import type { PresenceReport } from '@warren/shared/contract';

/** A user's presence changed as far as this instance can tell. */
export interface PresenceFlip {
  readonly userId: string;
  readonly online: boolean;
  /** When their last socket closed (the report's time); `null` when they came online. */
  readonly lastSeenAt: Date | null;
}

/** Options of {@link PresenceAggregate}. */
export interface PresenceAggregateOptions {
  /** How long a user held by no instance stays online: a reconnect quicker than this flips nothing. */
  offlineDelayMs: number;
  /** An instance not heard for 2 × its heartbeat plus this is dead, and its users with it. */
  graceMs: number;
  /**
   * After a start or a reconnect, how long it knows too little to flip anyone offline: long enough
   * for every live gateway to send a heartbeat (two of the default).
   */
  warmupMs: number;
  /** The clock, in milliseconds (tests move it). */
  now: () => number;
}

/** What {@link PresenceAggregate.tick} found. */
export interface PresenceTick {
  /** Users gone offline: held by no live instance for the offline delay. */
  readonly flips: PresenceFlip[];
  /**
   * The warmup just ended: the stored presence may still call online users whom no instance holds
   * and this instance never heard of (they went while it was not listening); see {@link PresenceAggregate.reconcile}.
   */
  readonly warmedUp: boolean;
}

interface GatewayInstance {
  readonly users: Set<string>;
  /** When it was last heard, by this instance's clock. */
  heardAt: number;
  heartbeatMs: number;
  /** The time of its last report (its own clock), which is when its users were last seen. */
  reportedAt: Date;
}

/** A user held by no instance, still online until the delay passes. */
interface Leaving {
  readonly since: number;
  readonly lastSeenAt: Date;
}

/**
 * Who is online, from the reports of every ws-gateway instance (pure: no I/O, an injected clock).
 * Each instance's set of users is kept with when it was last heard: `changes` add and remove,
 * `heartbeat` replaces the set, `goodbye` drops the instance, and an instance silent for
 * 2 × its `heartbeat_ms` + grace is dead. A user is online while any live instance holds them.
 * Coming online flips at once; going offline only once no instance has held them for the offline
 * delay (a quick reconnect flips nothing). After {@link begin} (start, reconnect) it flips nobody
 * offline for the warmup: the reports it missed are not in its sets yet.
 */
export class PresenceAggregate {
  readonly #options: PresenceAggregateOptions;
  readonly #instances = new Map<string, GatewayInstance>();
  /** user → how many live instances hold them. */
  readonly #holders = new Map<string, number>();
  /** Users this instance has flipped (or found) online. */
  readonly #online = new Set<string>();
  readonly #leaving = new Map<string, Leaving>();
  /** No offline flip before this; +∞ while it hears nothing (the queue is lost). */
  #quietUntil: number;
  #warm = false;

  constructor(options: PresenceAggregateOptions) {
    this.#options = options;
    this.#quietUntil = options.now() + options.warmupMs;
  }

  /** Whether a live instance holds the user now. */
  isHeld(userId: string): boolean {
    return this.#holders.has(userId);
  }

  /** How many users live instances hold. */
  get heldUsers(): number {
    return this.#holders.size;
  }

  /** How many gateway instances it believes alive. */
  get instances(): number {
    return this.#instances.size;
  }

  /** It hears nothing from now on (the queue is lost): nobody goes offline until {@link begin}. */
  suspend(): void {
    this.#quietUntil = Number.POSITIVE_INFINITY;
    this.#warm = false;
  }

  /**
   * It hears the reports again (consuming started): every instance counts as just heard, and the
   * warmup starts, since the reports missed meanwhile are only made good by the next heartbeats.
   */
  begin(): void {
    const now = this.#options.now();
    for (const instance of this.#instances.values()) instance.heardAt = now;
    this.#quietUntil = now + this.#options.warmupMs;
    this.#warm = false;
  }

  /** Applies one report. @returns the users it brought online. */
  apply(report: PresenceReport): PresenceFlip[] {
    const now = this.#options.now();
    const at = new Date(report.at);
    if (report.kind === 'goodbye') {
      this.#drop(report.instance, at);
      return [];
    }
    let instance = this.#instances.get(report.instance);
    if (instance === undefined) {
      instance = { users: new Set(), heardAt: now, heartbeatMs: report.heartbeat_ms, reportedAt: at };
      this.#instances.set(report.instance, instance);
    }
    instance.heardAt = now;
    instance.heartbeatMs = report.heartbeat_ms;
    instance.reportedAt = at;
    const flips: PresenceFlip[] = [];
    if (report.kind === 'heartbeat') {
      const current = new Set(report.online);
      for (const userId of [...instance.users]) if (!current.has(userId)) this.#release(instance, userId, at);
      for (const userId of current) this.#hold(instance, userId, flips);
    } else {
      for (const userId of report.offline) this.#release(instance, userId, at);
      for (const userId of report.online) this.#hold(instance, userId, flips);
    }
    return flips;
  }

  /** Drops the dead instances, and flips offline whom no instance has held for the delay. */
  tick(): PresenceTick {
    const now = this.#options.now();
    if (now < this.#quietUntil) return { flips: [], warmedUp: false };
    const warmedUp = !this.#warm;
    this.#warm = true;
    for (const [id, instance] of this.#instances) {
      if (now - instance.heardAt > 2 * instance.heartbeatMs + this.#options.graceMs)
        this.#drop(id, instance.reportedAt, instance.heardAt);
    }
    const flips: PresenceFlip[] = [];
    for (const [userId, leaving] of this.#leaving) {
      if (now - leaving.since < this.#options.offlineDelayMs) continue;
      this.#leaving.delete(userId);
      this.#online.delete(userId);
      flips.push({ userId, online: false, lastSeenAt: leaving.lastSeenAt });
    }
    return { flips, warmedUp };
  }

  /**
   * After the warmup: of the users stored as online, those no instance holds and this one is not
   * already letting go of went offline while nobody listened. @returns their flips, seen last `now`.
   */
  reconcile(storedOnline: readonly string[]): PresenceFlip[] {
    const lastSeenAt = new Date(this.#options.now());
    return storedOnline
      .filter((userId) => !this.#holders.has(userId) && !this.#leaving.has(userId))
      .map((userId) => {
        this.#online.delete(userId);
        return { userId, online: false, lastSeenAt };
      });
  }

  #hold(instance: GatewayInstance, userId: string, flips: PresenceFlip[]): void {
    if (instance.users.has(userId)) return;
    instance.users.add(userId);
    this.#holders.set(userId, (this.#holders.get(userId) ?? 0) + 1);
    // Back before the delay passed: nothing changed for anyone else.
    if (this.#leaving.delete(userId)) return;
    if (this.#online.has(userId)) return;
    this.#online.add(userId);
    flips.push({ userId, online: true, lastSeenAt: null });
  }

  /**
   * @param since when the user was last held there: now for a socket that closed; for a dead
   * instance, when it was last heard, so its users' offline delay has passed by the time it is found
   * dead (they were silent that long already) and they go offline at once.
   */
  #release(instance: GatewayInstance, userId: string, at: Date, since = this.#options.now()): void {
    if (!instance.users.delete(userId)) return;
    const holders = (this.#holders.get(userId) ?? 1) - 1;
    if (holders > 0) {
      this.#holders.set(userId, holders);
      return;
    }
    this.#holders.delete(userId);
    if (this.#online.has(userId)) this.#leaving.set(userId, { since, lastSeenAt: at });
  }

  /** @param since see `#release`: when its users count as gone from, for the offline delay. */
  #drop(instanceId: string, at: Date, since = this.#options.now()): void {
    const instance = this.#instances.get(instanceId);
    if (instance === undefined) return;
    for (const userId of [...instance.users]) this.#release(instance, userId, at, since);
    this.#instances.delete(instanceId);
  }
}
