import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The persister's own metrics (OPERATIONS.md "Observability"). */
export interface PersisterMetrics {
  readonly stored: Counter;
  readonly duplicates: Counter;
  readonly changes: Counter;
  readonly deadLettered: Counter<'reason'>;
  readonly eventsAcked: Counter;
  readonly batchSize: Histogram;
  readonly batchDuration: Histogram;
  readonly storeFailures: Counter;
  readonly held: Gauge;
  readonly lag: Gauge;
}

/** Creates the persister's metrics in `registry`. */
export function createPersisterMetrics(registry: Registry): PersisterMetrics {
  const registers = [registry];
  return {
    stored: new Counter({
      name: 'warren_persister_messages_stored_total',
      help: 'Messages newly stored in history.messages',
      registers,
    }),
    duplicates: new Counter({
      name: 'warren_persister_duplicates_skipped_total',
      help: 'Messages not stored because their id was stored already (redeliveries, publishes sent twice)',
      registers,
    }),
    changes: new Counter({
      name: 'warren_persister_changes_total',
      help: 'Message changes (edits, deletes, reactions) committed: applied, superseded by a newer one, or applied before',
      registers,
    }),
    deadLettered: new Counter({
      name: 'warren_persister_dead_lettered_total',
      // The code only, never the detail, so the label has a handful of values.
      help: 'Messages dead-lettered to warren.dead, by reason code (envelope rule, unknown_session, unknown_reply_to, unknown_message, too_many_reactions, storage_rejected, id_collision, handler_failed)',
      labelNames: ['reason'],
      registers,
    }),
    eventsAcked: new Counter({
      name: 'warren_persister_events_acked_total',
      help: 'Session events (member.joined, typing, …) acknowledged without storing: their state is in PostgreSQL',
      registers,
    }),
    batchSize: new Histogram({
      name: 'warren_persister_batch_size',
      help: 'Messages per committed batch (the count is the number of transactions)',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000],
      registers,
    }),
    batchDuration: new Histogram({
      name: 'warren_persister_batch_duration_seconds',
      help: 'Time from a batch closing to its commit, retries included',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    storeFailures: new Counter({
      name: 'warren_persister_store_failures_total',
      help: 'Batch transactions that failed and were retried (PostgreSQL unreachable)',
      registers,
    }),
    held: new Gauge({
      name: 'warren_persister_messages_held',
      help: 'Messages received and not yet acknowledged: in the open batch or waiting for their commit',
      registers,
    }),
    lag: new Gauge({
      name: 'warren_persister_lag_seconds',
      help: 'At the last commit: that time minus the created_at of the newest message it stored',
      registers,
    }),
  };
}
