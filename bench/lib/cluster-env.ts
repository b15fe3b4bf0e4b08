// The cluster scenario's environment: a three-node RabbitMQ cluster of the bench's own and a database
// of its own, so that the scaled-out side shares neither broker nor tables with the one-node side.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { connectPostgresAdmin } from '../../scripts/preflight.ts';
import { DEV_PASSWORDS } from '../../test/support/private-rabbitmq.ts';
import { PrivateRabbitMqCluster } from '../../test/support/private-rabbitmq-cluster.ts';
import { type BenchAmqpUser, DATABASE_URL, type ServiceEnv } from './system.ts';

/** A RabbitMQ cluster and a database, for services started with bench/lib/system.ts's `start*`. */
export interface ClusterEnv extends ServiceEnv {
  cluster: PrivateRabbitMqCluster;
  /** `broker-1`… for a node's AMQP port, as the CPU figures name the nodes; undefined for another port. */
  nodeOfPort(port: number): string | undefined;
  remove(): Promise<void>;
}

/**
 * Boots `size` private RabbitMQ nodes joined into one cluster from the deployment's definitions
 * (test/support/private-rabbitmq-cluster.ts) and creates an empty database on the machine's
 * PostgreSQL; a service's `amqpUrl` lists every node, as OPERATIONS.md has it for a cluster.
 */
export async function createClusterEnv(size: number): Promise<ClusterEnv> {
  const cluster = await PrivateRabbitMqCluster.start(size);
  const database = `warren_bench_cluster_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const admin = await connectPostgresAdmin(DATABASE_URL).catch(async (error: unknown) => {
    await cluster.remove();
    throw error;
  });
  try {
    await admin.query(`create database ${pg.escapeIdentifier(database)}`);
  } catch (error) {
    await admin.end();
    await cluster.remove();
    throw error;
  }
  const databaseUrl = new URL(DATABASE_URL);
  databaseUrl.pathname = `/${database}`;
  return {
    cluster,
    amqpUrl: (user: BenchAmqpUser) => cluster.urls(user, DEV_PASSWORDS[user]),
    databaseUrl: databaseUrl.toString(),
    nodeOfPort(port) {
      const index = cluster.nodes.findIndex((node) => node.port === port);
      return index < 0 ? undefined : `broker-${index + 1}`;
    },
    async remove() {
      await cluster.remove().catch((e: unknown) => console.error('remove the bench cluster:', e));
      await admin
        .query(`drop database if exists ${pg.escapeIdentifier(database)} with (force)`)
        .catch((e: unknown) => console.error(`drop database ${database}:`, e));
      await admin.end();
    },
  };
}
