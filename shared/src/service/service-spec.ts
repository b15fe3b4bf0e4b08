import type { Express } from 'express';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { AmqpClient } from '../amqp/amqp-client.ts';
import type { Migration } from '../db/migrations.ts';
import type { ReadinessCheck } from '../http/http-app.ts';
import type { RunningServer } from '../http/http-server.ts';
import type { ResourceStack } from './resource-stack.ts';

/** What the service kit reads from a service's configuration. */
export interface ServiceConfig {
  /** The port to listen on (0 picks a free one). */
  readonly PORT: number;
  /** The address to listen on. */
  readonly HOST: string;
  /** The broker, vhost and user included. */
  readonly RABBITMQ_URL: string;
  /** Express `trust proxy` hop count. @defaultValue 0 */
  readonly TRUST_PROXY?: number;
}

/** One PostgreSQL schema a service migrates at start, with its migrations. */
export interface SchemaMigrations {
  readonly schema: string;
  readonly migrations: readonly Migration[];
}

/** A service's database. */
export interface ServiceDatabase {
  /** PostgreSQL URL. */
  readonly url: string;
  /** The schemas brought up to date at start, in this order. */
  readonly schemas: readonly SchemaMigrations[];
}

/** What a service has, as it hands it to {@link startService}. */
export interface ServiceSpec {
  /** Its name: the broker connection's `connection_name`, the metrics' `service` label, its logs. */
  readonly name: string;
  readonly config: ServiceConfig;
  readonly logger: Logger;
  /**
   * Its database: opened, checked and migrated before the broker is connected.
   * @defaultValue none: the service reads no database
   */
  readonly database?: ServiceDatabase;
}

/** What the kit opened for a service, handed to its start function. */
export interface ServiceKit {
  /** The service's broker connection, connected. */
  readonly amqp: AmqpClient;
  /** The service's metrics registry, served at `/metrics`. */
  readonly registry: Registry;
  /** Where the service adds what it starts, to be closed last-in, first-out when it stops. */
  readonly resources: ResourceStack;
}

/** The kit of a service with `S`'s spec: with `db` when it has a database. */
export type ServiceKitOf<S extends ServiceSpec> = ServiceKit &
  (S extends { readonly database: ServiceDatabase } ? { readonly db: Knex } : unknown);

/** What a service serves and starts, as its start function returns it. */
export interface ServiceParts<T extends object> {
  /** Mounts the service's routes on its HTTP app. @defaultValue none: `/healthz`, `/readyz` and `/metrics` only */
  readonly routes?: (app: Express) => void;
  /** What `/readyz` checks besides the broker connection and the database. @defaultValue none */
  readonly readiness?: readonly ReadinessCheck[];
  /**
   * Starts what takes work once the server listens (WebSocket upgrades, a queue's consumer): what
   * it adds to the kit's resources stops before the server closes. @defaultValue nothing
   */
  readonly listening?: (server: RunningServer) => Promise<void> | void;
  /** The running service's own members: the kit adds those of {@link RunningService} to this object. */
  readonly service: T;
}

/** What every running service has besides its own members. */
export interface RunningService {
  /** The port its HTTP server listens on (`/healthz`, `/readyz`, `/metrics` and its routes). */
  readonly port: number;
  /** Its broker connection (tests await its events). */
  readonly amqp: AmqpClient;
  /** Closes what it opened, last-in, first-out: its own parts, the HTTP server, the broker, the database. */
  stop(): Promise<void>;
}
