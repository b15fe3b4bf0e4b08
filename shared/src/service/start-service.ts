import type { Knex } from 'knex';
import { createHttpApp, type ReadinessCheck } from '../http/http-app.ts';
import { startHttpServer } from '../http/http-server.ts';
import { createRegistry } from '../http/metrics.ts';
import { connectBroker } from './connect-broker.ts';
import { ResourceStack } from './resource-stack.ts';
import type { RunningService, ServiceKitOf, ServiceParts, ServiceSpec } from './service-spec.ts';

/**
 * Starts a service the way every Warren service starts: opens and migrates its database (when it
 * has one), connects to RabbitMQ, makes its metrics registry, lets `start` build the service's own
 * parts, then serves its routes with `/healthz`, `/readyz` (the broker connected, the database
 * answering) and `/metrics` on `config.HOST`:`config.PORT`, and starts what takes work once it
 * listens. Everything opened is closed last-in, first-out on `stop()`, and at once when a step
 * fails, so a failed start leaves nothing open.
 * @throws what failed, naming the URL when the database or the broker cannot be reached.
 */
export async function startService<S extends ServiceSpec, T extends object>(
  spec: S,
  start: (kit: ServiceKitOf<S>) => Promise<ServiceParts<T>>,
): Promise<T & RunningService> {
  const { name, config, logger } = spec;
  const resources = new ResourceStack();
  try {
    // Loaded only for a service with a database, so one without (the ws-gateway) never loads knex and pg.
    const database = spec.database && (await import('./open-database.ts'));
    const db = spec.database && database && (await database.openDatabase(spec.database, logger, resources));
    const amqp = await connectBroker(name, config.RABBITMQ_URL, logger, resources);
    const registry = createRegistry(name);
    const kit = { amqp, registry, resources, ...(db && { db }) } as ServiceKitOf<S>;
    const parts = await start(kit);

    const app = createHttpApp(
      {
        logger,
        registry,
        trustProxy: config.TRUST_PROXY,
        readiness: [
          ...resourceChecks(amqp, db && database && { db, ping: database.pingDatabase }),
          ...(parts.readiness ?? []),
        ],
      },
      (app) => parts.routes?.(app),
    );
    const server = await startHttpServer(app, config.PORT, config.HOST);
    resources.add('http server', () => server.close());
    await parts.listening?.(server);
    logger.info({ port: server.port }, `${name} listening`);
    return Object.assign(parts.service, { port: server.port, amqp, stop: () => resources.close() });
  } catch (error) {
    await resources.close().catch((closeError: unknown) => {
      logger.warn({ err: closeError }, `closing ${name} after a failed start failed`);
    });
    throw error;
  }
}

/** What `/readyz` checks of what the kit opened: the broker connection, and the database if any. */
function resourceChecks(
  amqp: { readonly connected: boolean },
  database: { db: Knex; ping: (db: Knex) => Promise<boolean> } | undefined,
): ReadinessCheck[] {
  const checks: ReadinessCheck[] = [{ name: 'rabbitmq', check: () => amqp.connected }];
  if (database) checks.push({ name: 'database', check: () => database.ping(database.db) });
  return checks;
}
