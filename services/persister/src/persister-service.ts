import {
  AmqpClient,
  checkDatabase,
  createDatabase,
  createHttpApp,
  createRegistry,
  type Logger,
  migrate,
  Publisher,
  pingDatabase,
  type RunningServer,
  startHttpServer,
} from '@warren/shared';
import type { PersisterConfig } from './config.ts';
import { MessageStore } from './message-store.ts';
import { createPersisterMetrics } from './metrics.ts';
import { HISTORY_SCHEMA, migrations } from './migrations/index.ts';
import { Persister } from './persister.ts';

/** A running persister. */
export interface PersisterService {
  /** The HTTP port it listens on (`/healthz`, `/readyz`, `/metrics`). */
  readonly port: number;
  /** Its broker connection (tests await its events). */
  readonly amqp: AmqpClient;
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
 * `persister`; it declares nothing, having no configure permission), consumes `warren.persister`
 * and listens for probes and metrics. Rejects at once, naming the URL, when the database or the
 * broker cannot be reached.
 */
export async function startPersisterService(config: PersisterConfig, logger: Logger): Promise<PersisterService> {
  const db = createDatabase({ url: config.DATABASE_URL, logger });
  let amqp: AmqpClient | undefined;
  let persister: Persister | undefined;
  let server: RunningServer | undefined;
  try {
    await checkDatabase(db, config.DATABASE_URL);
    await migrate(db, HISTORY_SCHEMA, migrations);

    amqp = new AmqpClient({ url: config.RABBITMQ_URL, connectionName: 'persister', logger });
    await amqp.start();
    const registry = createRegistry('persister');
    persister = new Persister({
      amqp,
      publisher: new Publisher(amqp, { registry }),
      store: new MessageStore(db),
      metrics: createPersisterMetrics(registry),
      logger,
      trustedPublishers: config.TRUSTED_PUBLISHERS,
      batchSize: config.BATCH_SIZE,
      batchMaxWaitMs: config.BATCH_MAX_WAIT_MS,
      prefetch: config.PREFETCH,
      retryInitialMs: config.STORE_RETRY_INITIAL_MS,
      retryMaxMs: config.STORE_RETRY_MAX_MS,
    });
    await persister.start();

    const connection = amqp;
    const app = createHttpApp(
      {
        logger,
        registry,
        readiness: [
          { name: 'rabbitmq', check: () => connection.connected },
          { name: 'database', check: () => pingDatabase(db) },
        ],
      },
      () => undefined,
    );
    server = await startHttpServer(app, config.PORT, config.HOST);
    logger.info({ port: server.port }, 'persister listening');
    const running = { server, persister };
    return {
      port: server.port,
      amqp: connection,
      persister,
      async stop() {
        await running.persister.stop();
        await running.server.close();
        await connection.close();
        await db.destroy();
      },
    };
  } catch (error) {
    await persister?.stop().catch(() => undefined);
    await server?.close().catch(() => undefined);
    await amqp?.close().catch(() => undefined);
    await db.destroy().catch(() => undefined);
    throw error;
  }
}
