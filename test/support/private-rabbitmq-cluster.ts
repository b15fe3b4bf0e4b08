import { randomBytes } from 'node:crypto';
import { ManagementClient } from '@warren/shared/management';
import { eventually } from '@warren/shared/testing';
import { DEV_PASSWORDS, PrivateRabbitMq, type PrivateRabbitMqOptions } from './private-rabbitmq.ts';

/** What the management API says of a quorum queue: its members and which of them run. */
export interface QuorumQueueState {
  readonly members: readonly string[];
  readonly online: readonly string[];
  readonly leader: string | undefined;
}

/**
 * A RabbitMQ cluster of the test's own: {@link PrivateRabbitMq} nodes (the installed server, each
 * from its own temporary folder on its own free ports) sharing one Erlang cookie, joined with
 * `rabbitmqctl join_cluster` to the first, each booted from the deployment's definitions as in
 * deployment. The quorum queues the first node declared alone are then grown onto every node, so
 * `warren.persister` has a member on each. Nodes can be stopped, restarted and killed one by one
 * (see {@link PrivateRabbitMq}); a node booted again rejoins the cluster by itself. Everything is
 * removed at the end, also when the test process dies.
 */
export class PrivateRabbitMqCluster {
  private constructor(readonly nodes: readonly PrivateRabbitMq[]) {}

  /** Boots `size` nodes and joins them into one cluster; resolves once every node runs in it. */
  static async start(size = 3, options: Omit<PrivateRabbitMqOptions, 'cookie'> = {}): Promise<PrivateRabbitMqCluster> {
    const cookie = randomBytes(20).toString('hex').toUpperCase();
    const started = await Promise.allSettled(
      Array.from({ length: size }, () => PrivateRabbitMq.start({ ...options, cookie })),
    );
    const nodes = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    const cluster = new PrivateRabbitMqCluster(nodes);
    try {
      const failed = started.find((result) => result.status === 'rejected');
      if (failed) throw failed.reason;
      const [first, ...others] = nodes as [PrivateRabbitMq, ...PrivateRabbitMq[]];
      for (const node of others) {
        // A node joins empty: what it imported alone is the cluster's already.
        await node.tool('rabbitmqctl', 'stop_app');
        await node.tool('rabbitmqctl', 'reset');
        await node.tool('rabbitmqctl', 'join_cluster', first.node);
        await node.startApp();
      }
      // Quorum queues get their members from the nodes running when they are declared: the first
      // node's definitions import declared them alone. A queue makes one membership change at a
      // time and refuses the next while one is being committed (the command still exits 0), so the
      // grow is repeated until every quorum queue has every node.
      await eventually(
        async () => {
          const missing = await cluster.#nodesMissingFromQuorumQueues();
          for (const node of missing) await first.tool('rabbitmq-queues', 'grow', node, 'all');
          return missing.length === 0;
        },
        { timeoutMs: 60_000 },
      );
      const running = await cluster.runningNodes();
      if (running.length !== size) throw new Error(`the cluster runs ${running.join(', ')}, not ${size} nodes`);
    } catch (error) {
      await cluster.remove();
      throw error;
    }
    return cluster;
  }

  /**
   * The URL of every node for an AMQP user, comma-separated in node order: `RABBITMQ_URL` for a
   * service on this cluster.
   */
  urls(user: string, password: string, vhost = 'warren'): string {
    return this.nodes.map((node) => node.url(user, password, vhost)).join(',');
  }

  /**
   * The management API of `node` (default: the first whose VM runs; any node answers for the whole
   * cluster, but not one whose application is stopped), as its administrator.
   */
  management(node = this.nodes.find((each) => each.running)): ManagementClient {
    if (node === undefined) throw new Error('no node of the cluster runs');
    return new ManagementClient(node.managementUrl('admin', DEV_PASSWORDS.admin));
  }

  /** The nodes the cluster reports running (`rabbitmqctl cluster_status`), asked of `node` (default: the first whose VM runs). */
  async runningNodes(node = this.nodes.find((each) => each.running)): Promise<string[]> {
    if (node === undefined) return [];
    const status = JSON.parse(await node.tool('rabbitmqctl', 'cluster_status', '--formatter', 'json')) as {
      running_nodes: string[];
    };
    return [...status.running_nodes].sort();
  }

  /** Members, online members and leader of a quorum queue, from the management API of `node` (as {@link management}). */
  async quorumQueue(name: string, node?: PrivateRabbitMq, vhost = 'warren'): Promise<QuorumQueueState> {
    const queue = (await this.management(node).request(
      'GET',
      `/queues/${encodeURIComponent(vhost)}/${encodeURIComponent(name)}`,
    )) as { members?: string[]; online?: string[]; leader?: string };
    return { members: queue.members ?? [], online: queue.online ?? [], leader: queue.leader };
  }

  /**
   * The nodes some quorum queue of `vhost` has no member on, asked of the queues themselves
   * (`rabbitmqctl list_queues`): the management API reports members from statistics a few seconds old.
   */
  async #nodesMissingFromQuorumQueues(vhost = 'warren'): Promise<string[]> {
    const node = this.nodes.find((each) => each.running);
    if (node === undefined) throw new Error('no node of the cluster runs');
    const listed = await node.tool(
      'rabbitmqctl',
      'list_queues',
      '-q',
      '-p',
      vhost,
      'name',
      'type',
      'members',
      '--formatter',
      'json',
    );
    const queues = JSON.parse(listed) as { type?: string; members?: string[] }[];
    const quorum = queues.filter((queue) => queue.type === 'quorum');
    if (quorum.length === 0) throw new Error(`no quorum queue in ${vhost} yet: the definitions declare them`);
    return this.nodes
      .map((node) => node.node)
      .filter((node) => quorum.some((queue) => !(queue.members ?? []).includes(node)));
  }

  /** Kills every node and removes their folders. */
  async remove(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.remove()));
  }
}
