import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AmqpUser } from '@warren/shared/amqp';
import { createDatabase, type Knex } from '@warren/shared/db';
import { createLogger } from '@warren/shared/logging';
import { type LogLine, ServiceProcess } from '@warren/shared/testing';
import { freePort } from '../support/free-port.ts';
import { PrivatePostgres } from '../support/private-postgres.ts';
import { DEV_PASSWORDS } from '../support/private-rabbitmq.ts';
import { PrivateRabbitMqCluster } from '../support/private-rabbitmq-cluster.ts';
import { registerUser, type TestUser } from '../support/warren.ts';
import { startChaosAuth, storedRowsOf, type WarrenEndpoints } from './support.ts';

/** A service Warren runs several instances of on the cluster. */
export type ScaledService = 'chat-api' | 'persister' | 'ws-gateway';

/** One instance of a service: its name (`chat-api-1`…), service, fixed port and process. */
export interface Instance {
  readonly name: string;
  readonly service: ScaledService;
  readonly port: number;
  process: ServiceProcess;
}

/** When a service logged a line (pino's ISO `time`), in ms since 1970. */
const timeOf = (line: LogLine): number => Date.parse(String(line.time));

/** How many instances of each service run side by side. */
const INSTANCES = 2;

/**
 * Warren scaled out on a three-node RabbitMQ cluster of its own (test/support/private-rabbitmq-cluster.ts)
 * and a PostgreSQL of its own: two chat-api, two ws-gateway and two persister instances, each a
 * process on its own port, and auth, every one with `RABBITMQ_URL` listing all three nodes (as
 * OPERATIONS.md says), connected as its deployment user. Which node each instance lands on is its
 * client's choice (a random first node), as in deployment.
 */
export class ClusterWarren {
  readonly instances: Instance[] = [];

  private constructor(
    readonly cluster: PrivateRabbitMqCluster,
    readonly postgres: PrivatePostgres,
    readonly auth: ServiceProcess,
    readonly db: Knex,
  ) {}

  static async start(): Promise<ClusterWarren> {
    // Each node and service process guards against being orphaned with an `exit` listener: eleven
    // of them here, past Node's default warning threshold of ten, and not a leak.
    process.setMaxListeners(Math.max(process.getMaxListeners(), 32));
    const [cluster, postgres] = await Promise.all([PrivateRabbitMqCluster.start(3), PrivatePostgres.start()]);
    const auth = await startChaosAuth(cluster.urls('auth', DEV_PASSWORDS.auth), postgres, () =>
      Promise.all([cluster.remove(), postgres.remove()]),
    );
    const db = createDatabase({ url: postgres.url(), logger: createLogger({ service: 'test', level: 'silent' }) });
    const warren = new ClusterWarren(cluster, postgres, auth, db);
    try {
      // Instance 2 of each service starts once instance 1 listens: two instances migrating one
      // database at once would race for knex's migration lock, which fails rather than waits.
      for (let n = 1; n <= INSTANCES; n += 1) {
        const started: Instance[] = [];
        for (const service of ['persister', 'chat-api', 'ws-gateway'] as const) {
          const port = await freePort();
          started.push({ name: `${service}-${n}`, service, port, process: warren.#spawn(service, port) });
        }
        warren.instances.push(...started);
        await Promise.all(started.map((instance) => instance.process.listening));
      }
    } catch (error) {
      await warren.stop();
      throw error;
    }
    return warren;
  }

  #spawn(service: ScaledService, port: number): ServiceProcess {
    const common = { PORT: String(port), RABBITMQ_URL: this.amqpUrls(service) };
    const database = this.postgres.url();
    const trusted = 'chat-api';
    const env: Record<string, string> =
      service === 'chat-api'
        ? {
            ...common,
            DATABASE_URL: database,
            AUTH_URL: this.auth.url,
            POST_RATE_PER_SEC: '10000',
            POST_BURST: '10000',
          }
        : service === 'persister'
          ? { ...common, DATABASE_URL: database, TRUSTED_PUBLISHERS: trusted }
          : { ...common, AUTH_URL: this.auth.url, TRUSTED_PUBLISHERS: trusted };
    return ServiceProcess.spawn(service, env);
  }

  /** `RABBITMQ_URL` of a deployment user: every node of the cluster. */
  amqpUrls(user: AmqpUser | 'admin'): string {
    return this.cluster.urls(user, DEV_PASSWORDS[user]);
  }

  /** The instances of a service. */
  of(service: ScaledService): Instance[] {
    return this.instances.filter((instance) => instance.service === service);
  }

  /** Where clients of instance `n` (1 or 2) of chat-api and of the gateway reach Warren. */
  endpoints(n: number): WarrenEndpoints {
    const chat = this.of('chat-api')[n - 1];
    const gateway = this.of('ws-gateway')[n - 1];
    if (!chat || !gateway) throw new Error(`no instance ${n}`);
    return { chatUrl: `http://127.0.0.1:${chat.port}`, gatewayUrl: `ws://127.0.0.1:${gateway.port}/ws` };
  }

  /** Endpoints whose chat-api is each instance in turn, one request after the other (a load balancer's round robin). */
  roundRobin(): WarrenEndpoints {
    const chats = this.of('chat-api').map((instance) => `http://127.0.0.1:${instance.port}`);
    const { gatewayUrl } = this.endpoints(1);
    let next = 0;
    return {
      get chatUrl() {
        const url = chats[next % chats.length] as string;
        next += 1;
        return url;
      },
      gatewayUrl,
    };
  }

  register(prefix: string): Promise<TestUser> {
    return registerUser(this.auth.url, this.endpoints(1).chatUrl, prefix);
  }

  /** Whether every instance answers `/readyz` with 200 (its broker and database connections work). */
  async allReady(): Promise<boolean> {
    const answers = await Promise.all(
      this.instances.map(async (instance) => {
        try {
          const response = await fetch(`http://127.0.0.1:${instance.port}/readyz`, {
            signal: AbortSignal.timeout(2000),
          });
          await response.arrayBuffer();
          return response.status === 200;
        } catch {
          return false;
        }
      }),
    );
    return answers.every(Boolean);
  }

  /**
   * Each instance's broker outages since `since` (from its log): from `lost RabbitMQ connection,
   * reconnecting` to the next `connected to RabbitMQ`, with the node it connected to; an outage not
   * over yet ends at undefined.
   */
  reconnects(since: number): Array<{ instance: string; lostAt: number; backAt: number | undefined; node: string }> {
    const found: Array<{ instance: string; lostAt: number; backAt: number | undefined; node: string }> = [];
    for (const instance of this.instances) {
      const lines = instance.process.logs.all.filter((line: LogLine) => timeOf(line) >= since);
      let lostAt: number | undefined;
      for (const line of lines) {
        if (line.msg === 'lost RabbitMQ connection, reconnecting' && lostAt === undefined) lostAt = timeOf(line);
        if (line.msg === 'connected to RabbitMQ' && lostAt !== undefined) {
          found.push({ instance: instance.name, lostAt, backAt: timeOf(line), node: String(line.node) });
          lostAt = undefined;
        }
      }
      if (lostAt !== undefined) found.push({ instance: instance.name, lostAt, backAt: undefined, node: '' });
    }
    return found;
  }

  /** Rows of history.messages of a session: id and content. */
  storedRows(sessionId: string): Promise<Array<{ id: string; content: string }>> {
    return storedRowsOf(this.db, sessionId);
  }

  /** Writes every instance's output (and auth's) to `<folder>/<instance>.log`, to see what happened. */
  saveLogs(folder: string): void {
    mkdirSync(folder, { recursive: true });
    for (const { name, process } of [...this.instances, { name: 'auth', process: this.auth }]) {
      writeFileSync(join(folder, `${name}.log`), `${process.lines.join('\n')}\n`);
    }
  }

  async stop(): Promise<void> {
    await Promise.all([...this.instances.map((instance) => instance.process), this.auth].map((each) => each.kill()));
    await this.db.destroy();
    await Promise.all([this.cluster.remove(), this.postgres.remove()]);
  }
}
