import { randomUUID } from 'node:crypto';
import { eventKeys, exchanges, type Publisher } from '@warren/shared/amqp';
import type { PresenceReport } from '@warren/shared/contract';
import type { Logger } from '@warren/shared/logging';
import type { GatewayMetrics } from './metrics.ts';

/**
 * The most user ids one `changes` report names; a larger burst goes out as several. Heartbeats are
 * never split: each replaces the instance's whole set in chat-api (docs/ws-gateway.md).
 */
export const MAX_IDS_PER_CHANGES = 5000;

/** Options of {@link PresenceReporter}. */
export interface PresenceReporterOptions {
  /** This gateway instance: the report's `instance` and its routing key `presence.<instanceId>`. */
  readonly instanceId: string;
  readonly publisher: Pick<Publisher, 'publish'>;
  /** The AMQP user the gateway connects as: the `user_id` property, which the broker checks. */
  readonly publisherUser: string;
  /** PRESENCE_HEARTBEAT_MS. */
  readonly heartbeatMs: number;
  /** PRESENCE_COALESCE_MS. */
  readonly coalesceMs: number;
  /** Every user the gateway holds a ready socket for now. */
  readonly users: () => Iterable<string>;
  readonly metrics: Pick<GatewayMetrics, 'presenceReports'>;
  readonly logger: Logger;
}

/**
 * Reports to `warren.events` which users this gateway holds sockets for (docs/ws-gateway.md
 * "Presence reports"): `changes` gathered over PRESENCE_COALESCE_MS, a `heartbeat` with the whole
 * set every PRESENCE_HEARTBEAT_MS (and at once after a broker reconnect), and a `goodbye` when it
 * stops. Reports are transient and not mandatory: the reader's queue is not durable, so persisting
 * them buys nothing, and with no chat-api running nobody needs them. A report that fails is counted
 * and left to the next heartbeat, which carries the whole truth. Nothing here runs per delivery:
 * only when a user's first socket becomes ready or last one closes, and on its timers.
 */
export class PresenceReporter {
  readonly #options: PresenceReporterOptions;
  readonly #log: Logger;
  /** Changes not reported yet: user → online (true) or offline (false), against what was reported. */
  #pending = new Map<string, boolean>();
  #flushTimer: NodeJS.Timeout | undefined;
  #heartbeatTimer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(options: PresenceReporterOptions) {
    this.#options = options;
    this.#log = options.logger.child({ module: 'presence-reporter' });
  }

  /** Sends a first heartbeat (chat-api learns of the instance) and one every PRESENCE_HEARTBEAT_MS. */
  start(): void {
    if (this.#stopped || this.#heartbeatTimer !== undefined) return;
    this.#heartbeatTimer = setInterval(() => this.heartbeat(), this.#options.heartbeatMs);
    this.#heartbeatTimer.unref();
    this.heartbeat();
  }

  /** A user's first socket on this gateway became ready. */
  online(userId: string): void {
    this.#change(userId, true);
  }

  /** A user's last socket on this gateway closed. */
  offline(userId: string): void {
    this.#change(userId, false);
  }

  /**
   * Reports every user held now, with the changes still gathering folded in (the set is now's
   * truth, so they need no report of their own).
   */
  heartbeat(): void {
    if (this.#stopped) return;
    this.#pending = new Map();
    clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    void this.#send('heartbeat', [...this.#options.users()], []);
  }

  /**
   * Stops reporting and says goodbye: every user held here is offline as far as this gateway is
   * concerned. Resolves once the broker confirmed it or the publish failed (never rejects).
   */
  async goodbye(): Promise<void> {
    if (this.#stopped) return;
    this.stop();
    await this.#send('goodbye', [], []);
  }

  /** Stops reporting, without a goodbye. */
  stop(): void {
    this.#stopped = true;
    clearInterval(this.#heartbeatTimer);
    clearTimeout(this.#flushTimer);
    this.#pending = new Map();
  }

  /**
   * Gathers a change. A user's changes alternate (online, offline, online…), so one opposite to
   * a pending one cancels it: closed and reopened within the window is no report at all.
   */
  #change(userId: string, online: boolean): void {
    if (this.#stopped) return;
    const pending = this.#pending.get(userId);
    if (pending === undefined) this.#pending.set(userId, online);
    else if (pending !== online) this.#pending.delete(userId);
    if (this.#flushTimer === undefined) {
      this.#flushTimer = setTimeout(() => this.#flush(), this.#options.coalesceMs);
      this.#flushTimer.unref();
    }
  }

  #flush(): void {
    this.#flushTimer = undefined;
    const pending = this.#pending;
    this.#pending = new Map();
    let online: string[] = [];
    let offline: string[] = [];
    for (const [userId, isOnline] of pending) {
      (isOnline ? online : offline).push(userId);
      if (online.length + offline.length === MAX_IDS_PER_CHANGES) {
        void this.#send('changes', online, offline);
        online = [];
        offline = [];
      }
    }
    if (online.length + offline.length > 0) void this.#send('changes', online, offline);
  }

  /** Publishes one report; never rejects (a failure is counted and logged). */
  async #send(kind: PresenceReport['kind'], online: string[], offline: string[]): Promise<void> {
    const { instanceId, heartbeatMs, publisher, publisherUser, metrics } = this.#options;
    const report: PresenceReport = {
      instance: instanceId,
      kind,
      online,
      offline,
      at: new Date().toISOString(),
      heartbeat_ms: heartbeatMs,
    };
    try {
      await publisher.publish(
        exchanges.events.name,
        eventKeys.presence(instanceId),
        Buffer.from(JSON.stringify(report)),
        {
          messageId: randomUUID(),
          userId: publisherUser,
          contentType: 'application/json',
          timestamp: Math.floor(Date.now() / 1000),
          persistent: false,
          mandatory: false,
        },
      );
      metrics.presenceReports.inc({ kind, result: 'sent' });
    } catch (error) {
      metrics.presenceReports.inc({ kind, result: 'failed' });
      this.#log.warn(
        { err: error, kind, users: online.length + offline.length },
        'presence report not published: the next heartbeat repairs it',
      );
    }
  }
}
