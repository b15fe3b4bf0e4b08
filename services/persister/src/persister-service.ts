import { Publisher } from '@warren/shared/amqp';
import { HISTORY_SCHEMA, historyMigrations } from '@warren/shared/history';
import type { Logger } from '@warren/shared/logging';
import { type RunningService, startService } from '@warren/shared/service';
import { ChangeStore } from './change-store.ts';
import type { PersisterConfig } from './config.ts';
import { MessageStore } from './message-store.ts';
import { createPersisterMetrics } from './metrics.ts';
import { Persister } from './persister.ts';

/** A running persister. */
export interface PersisterService extends RunningService {
  /** The consumer and writer (tests await `batch-stored`, `dead-lettered`, …). */
  readonly persister: Persister;
  /**
   * Stops consuming, commits and acknowledges the batch it holds, then closes the HTTP server, the
   * broker connection and the database pool.
   */
  stop(): Promise<void>;
}

/**
 * Starts the persister: migrates its schema (`history`), connects to RabbitMQ (connection name
 * `persister`; it declares nothing, having no configure permission), listens for probes and metrics,
 * then consumes `warren.persister`. Rejects at once, naming the URL, when the database or the
 * broker cannot be reached.
 */
export function startPersisterService(config: PersisterConfig, logger: Logger): Promise<PersisterService> {
  const database = { url: config.DATABASE_URL, schemas: [{ schema: HISTORY_SCHEMA, migrations: historyMigrations }] };
  return startService({ name: 'persister', config, logger, database }, async ({ db, amqp, registry, resources }) => {
    const persister = new Persister({
      amqp,
      publisher: new Publisher(amqp, { registry }),
      store: new MessageStore(db),
      changes: new ChangeStore(db),
      metrics: createPersisterMetrics(registry),
      logger,
      trustedPublishers: config.TRUSTED_PUBLISHERS,
      batchSize: config.BATCH_SIZE,
      batchMaxWaitMs: config.BATCH_MAX_WAIT_MS,
      prefetch: config.PREFETCH,
      retryInitialMs: config.STORE_RETRY_INITIAL_MS,
      retryMaxMs: config.STORE_RETRY_MAX_MS,
    });
    return {
      // Its batch is committed and acknowledged before the probes go away.
      listening: async () => {
        resources.add('persister', () => persister.stop());
        await persister.start();
      },
      service: { persister },
    };
  });
}
