import { createServer } from 'node:net';
import { splitBrokerUrls } from '@warren/shared/amqp';
import { ManagementClient } from '@warren/shared/management';
import { redactUrl } from '@warren/shared/url';
import amqp from 'amqplib';
import pg from 'pg';

/** A dependency that could not be reached, with how to fix it. */
export class PreflightError extends Error {}

/**
 * Fails fast (a few seconds a node at most) when RabbitMQ cannot be reached: no node of the list
 * (RABBITMQ_URL may name a cluster's nodes) answers.
 * @returns the URL of the first node that answered.
 */
export async function checkRabbitMq(url: string): Promise<string> {
  const failures: string[] = [];
  for (const node of splitBrokerUrls(url)) {
    try {
      const connection = await amqp.connect(node, { timeout: 3000 });
      await connection.close();
      return node;
    } catch (error) {
      failures.push(`${redactUrl(node)} (${(error as Error).message})`);
    }
  }
  throw new PreflightError(
    `RabbitMQ is not reachable at ${failures.join(', ')}.\n` +
      'Start it (on Debian: `rabbitmq-server -detached`) or set RABBITMQ_URL, e.g. RABBITMQ_URL=amqp://user:pass@host:5672/ npm …',
  );
}

/** Fails fast when the management API cannot be reached. */
export async function checkManagement(url: string): Promise<ManagementClient> {
  const client = new ManagementClient(url);
  try {
    await client.request('GET', '/overview');
  } catch (error) {
    throw new PreflightError(
      `the RabbitMQ management API is not reachable at ${redactUrl(url)} (${(error as Error).message}).\n` +
        'Enable it with `rabbitmq-plugins enable rabbitmq_management` or set RABBITMQ_MANAGEMENT_URL.',
    );
  }
  return client;
}

/** Fails fast when PostgreSQL cannot be reached; resolves with a client on the server's `postgres` database. */
export async function connectPostgresAdmin(databaseUrl: string): Promise<pg.Client> {
  const url = new URL(databaseUrl);
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString(), connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new PreflightError(
      `PostgreSQL is not reachable at ${redactUrl(databaseUrl)} (${(error as Error).message}).\n` +
        'Start it (on Debian: `pg_ctlcluster <version> main start`) or set DATABASE_URL, e.g. DATABASE_URL=postgres://user@host:5432/warren npm …',
    );
  }
  return client;
}

/** Creates a database if it does not exist yet. */
export async function ensureDatabase(admin: pg.Client, name: string): Promise<void> {
  const { rowCount } = await admin.query('select 1 from pg_database where datname = $1', [name]);
  if (!rowCount) await admin.query(`create database ${pg.escapeIdentifier(name)}`);
}

/** A port `npm start` is to listen on, and the variable that moves it. */
export interface PlannedPort {
  /** What listens there: a service's name or `web`. */
  readonly name: string;
  readonly port: number;
  readonly variable: string;
}

/**
 * Fails fast, in one line naming the port and the variable that moves it, when two of the planned
 * ports are the same or one is already taken on `host`: checked before anything starts, so a taken
 * port leaves nothing running.
 */
export async function checkPortsFree(host: string, planned: readonly PlannedPort[]): Promise<void> {
  for (const [index, entry] of planned.entries()) {
    const other = planned.slice(0, index).find((earlier) => earlier.port === entry.port);
    if (other !== undefined) {
      throw new PreflightError(
        `${other.variable} and ${entry.variable} are both ${entry.port}: set one of them to another port.`,
      );
    }
    const server = createServer();
    const taken = await new Promise<boolean>((resolve, reject) => {
      server.once('listening', () => resolve(false));
      server.once('error', (error: NodeJS.ErrnoException) =>
        error.code === 'EADDRINUSE' ? resolve(true) : reject(error),
      );
      server.listen(entry.port, host);
    });
    if (taken) {
      throw new PreflightError(
        `port ${entry.port} on ${host} (${entry.name}) is already in use: set ${entry.variable} to another port, e.g. ${entry.variable}=${entry.port + 1} npm start`,
      );
    }
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
