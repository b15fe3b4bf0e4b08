import { Counter, Gauge, type Registry } from 'prom-client';

/**
 * Counts kept as plain numbers and added to their counter when `/metrics` is read: a frame sent or a
 * cache lookup happens per delivery per socket, and a labelled `inc` (label hashing, a map lookup)
 * on that path costs more than the rest of the bookkeeping.
 */
export class Tally<Label extends string> {
  readonly #counts = new Map<Label, number>();

  /** Adds one to `label`. */
  add(label: Label): void {
    this.#counts.set(label, (this.#counts.get(label) ?? 0) + 1);
  }

  /** @internal moves the counts into `counter` under `labelName`. */
  flushInto(counter: Counter<string>, labelName: string): void {
    for (const [label, count] of this.#counts) {
      if (count > 0) counter.inc({ [labelName]: label }, count);
      this.#counts.set(label, 0);
    }
  }
}

/** The ws-gateway's own metrics (OPERATIONS.md "Observability"). */
export interface GatewayMetrics {
  readonly connections: Gauge;
  /** `warren_ws_frames_sent_total{type}`. */
  readonly framesSent: Tally<string>;
  readonly invalidDeliveries: Counter<'reason'>;
  readonly failedDeliveries: Counter;
  readonly closes: Counter<'code'>;
  /** `warren_ws_encode_cache_lookups_total{result}`. */
  readonly encodeCache: Tally<'hit' | 'miss'>;
  /** `warren_ws_auth_closes_total{reason}`: the 4001 closes, by why. */
  readonly authCloses: Counter<'reason'>;
  /** `warren_ws_presence_reports_total{kind,result}`. */
  readonly presenceReports: Counter<'kind' | 'result'>;
  /** `warren_ws_login_ended_events_total{result}`. */
  readonly loginEndedEvents: Counter<'result'>;
  /** `warren_ws_ended_logins`: ended logins remembered now. */
  readonly endedLogins: Gauge;
  /** `warren_ws_ended_logins_evicted_total`: ended logins forgotten early, at ENDED_LOGINS_MAX. */
  readonly endedLoginsEvicted: Counter;
  /** `warren_ws_ended_logins_read_failures_total`: reads of auth's record of ended logins that failed. */
  readonly endedLoginsReadFailures: Counter;
}

/** Why a socket was closed with 4001 (the `reason` label of `warren_ws_auth_closes_total`). */
export type AuthCloseReason = 'auth_timeout' | 'token_invalid' | 'token_expired' | 'login_ended';

/** Creates the ws-gateway's metrics in `registry`. */
export function createGatewayMetrics(registry: Registry): GatewayMetrics {
  const registers = [registry];
  const framesSent = new Tally<string>();
  const encodeCache = new Tally<'hit' | 'miss'>();
  new Counter({
    name: 'warren_ws_frames_sent_total',
    help: 'Frames handed to sockets, by frame type (ready, message, event, pong, error)',
    labelNames: ['type'],
    registers,
    collect() {
      framesSent.flushInto(this, 'type');
    },
  });
  new Counter({
    name: 'warren_ws_encode_cache_lookups_total',
    help: 'Deliveries looked up in the encoding cache, by result (hit: decoded and serialized for another socket already)',
    labelNames: ['result'],
    registers,
    collect() {
      encodeCache.flushInto(this, 'result');
    },
  });
  return {
    connections: new Gauge({
      name: 'warren_ws_connections',
      help: 'Open WebSocket connections, authenticated or not',
      registers,
    }),
    framesSent,
    invalidDeliveries: new Counter({
      name: 'warren_ws_deliveries_invalid_total',
      // The envelope code only, never the detail, so the label has a handful of values.
      help: 'Deliveries not sent to a socket because they break the envelope rules, by reason code',
      labelNames: ['reason'],
      registers,
    }),
    failedDeliveries: new Counter({
      name: 'warren_ws_deliveries_failed_total',
      help: 'Deliveries dropped because handling them threw (a bug): the shared consumer channel stays open',
      registers,
    }),
    closes: new Counter({
      name: 'warren_ws_closes_total',
      help: 'Closed WebSocket connections by close code (4008: slow clients, 4001: authentication, 1011: broker lost)',
      labelNames: ['code'],
      registers,
    }),
    encodeCache,
    authCloses: new Counter({
      name: 'warren_ws_auth_closes_total',
      help: 'Connections closed with 4001, by reason (auth_timeout, token_invalid, token_expired, login_ended)',
      labelNames: ['reason'],
      registers,
    }),
    presenceReports: new Counter({
      name: 'warren_ws_presence_reports_total',
      help: 'Presence reports published, by kind (changes, heartbeat, goodbye) and result (sent: confirmed; failed: the next heartbeat repairs it)',
      labelNames: ['kind', 'result'],
      registers,
    }),
    loginEndedEvents: new Counter({
      name: 'warren_ws_login_ended_events_total',
      help: 'login.ended events heard, by result (applied; untrusted: not published by AUTH_AMQP_USER; invalid body)',
      labelNames: ['result'],
      registers,
    }),
    endedLogins: new Gauge({
      name: 'warren_ws_ended_logins',
      help: 'Ended logins remembered, so their tokens are refused until they would have expired',
      registers,
    }),
    endedLoginsEvicted: new Counter({
      name: 'warren_ws_ended_logins_evicted_total',
      help: 'Ended logins forgotten before their tokens expired, at ENDED_LOGINS_MAX',
      registers,
    }),
    endedLoginsReadFailures: new Counter({
      name: 'warren_ws_ended_logins_read_failures_total',
      help: "Attempts to read auth's record of ended logins that failed (retried with backoff; no token is admitted before the first success)",
      registers,
    }),
  };
}
