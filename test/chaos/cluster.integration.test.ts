import { queues } from '@warren/shared/amqp';
import type { ManagementConnection } from '@warren/shared/management';
import { eventually } from '@warren/shared/testing';
import { expect } from 'chai';
import type { PrivateRabbitMq } from '../support/private-rabbitmq.ts';
import { registerEach, type TestUser } from '../support/warren.ts';
import { ClusterWarren } from './cluster-support.ts';
import { OnlineMember, Poster, printTable, tally } from './support.ts';

/**
 * Warren scaled out on a three-node RabbitMQ cluster (issue 15, OPERATIONS.md "Running several of
 * each"): two chat-api, two ws-gateway and two persister instances, every one given all three nodes
 * in RABBITMQ_URL. Under a steady stream of posts (spread over both chat-api instances) with members
 * online on both gateways (one of them on both at once), (a) the node holding most of Warren's
 * connections is stopped (`stop_app`) and started again, (b) every node is restarted in turn
 * (`rabbitmqctl stop`, then booted), (c) the Erlang VM of the node leading the persister's quorum
 * queue is SIGKILLed and booted again. Each scenario reports, as docs/reliability.md does: sent,
 * accepted (202), stored, duplicates and lost (accepted but not stored), both 0; what each member
 * got live and by filling the gap from history; how many service connections moved node, the
 * longest any instance was without the broker, and the longest pause between two accepted posts.
 * CHAOS_RESULTS=<file> appends each scenario's row of the table; CHAOS_LOGS=<folder> keeps every
 * instance's output there.
 */
const OUTAGE_MS = 10_000;

/** The node a connection of the management API is on (a field the shared client's type leaves out). */
const nodeOf = (connection: ManagementConnection): string => String((connection as { node?: string }).node);

interface Row {
  scenario: string;
  sent: number;
  accepted: number;
  stored: number;
  duplicates: number;
  lost: number;
  refused: string;
  moved: number;
  longestReconnectMs: number;
  longestPauseMs: number;
  live: string;
}

describe('Warren on a three-node RabbitMQ cluster (chaos)', function () {
  this.timeout(300_000);
  let warren: ClusterWarren;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  const table: Row[] = [];

  before(async function () {
    this.timeout(240_000);
    warren = await ClusterWarren.start();
    [alice, bob, carol] = await registerEach(warren, 'alice', 'bob', 'carol');
  });
  after(async () => {
    printTable(
      [
        'scenario',
        'sent',
        'accepted (202)',
        'stored',
        'duplicates',
        'lost',
        'refused',
        'connections moved',
        'longest reconnect',
        'longest pause between 202s',
        'members: live/filled',
      ],
      table.map((row) => [
        row.scenario,
        row.sent,
        row.accepted,
        row.stored,
        row.duplicates,
        row.lost,
        row.refused,
        row.moved,
        seconds(row.longestReconnectMs),
        seconds(row.longestPauseMs),
        row.live,
      ]),
    );
    if (process.env.CHAOS_LOGS) warren?.saveLogs(process.env.CHAOS_LOGS);
    await warren?.stop();
  });

  const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const nodeNames = () => warren.cluster.nodes.map((node) => node.node).sort();

  /** The cluster whole again: every node running in it, the persister's queue online on each, every instance ready. */
  async function healthy(): Promise<void> {
    await eventually(async () => (await warren.cluster.runningNodes()).length === 3, { timeoutMs: 90_000 });
    await eventually(
      async () => {
        const { members, online } = await warren.cluster.quorumQueue(queues.persister.name);
        return members.length === 3 && online.length === 3;
      },
      { timeoutMs: 90_000, intervalMs: 250 },
    );
    await eventually(() => warren.allReady(), { timeoutMs: 90_000, intervalMs: 100 });
  }

  it('replicates the persister queue on all three nodes, and the instances connect to the cluster', async () => {
    // The management API reports members from statistics a few seconds old: the harness grew the
    // queue before the services started, which may be less time than that.
    const queue = await eventually(
      async () => {
        const state = await warren.cluster.quorumQueue(queues.persister.name);
        return state.members.length === 3 && state.online.length === 3 && state;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    expect([...queue.members].sort()).to.deep.equal(nodeNames());
    expect([...queue.online].sort()).to.deep.equal(nodeNames());
    const connections = await eventually(
      async () => {
        const found = await warren.cluster.management().connections('warren');
        const users = found.map((connection) => connection.user);
        return (
          ['chat-api', 'persister', 'ws-gateway'].every((user) => users.filter((each) => each === user).length >= 2) &&
          found
        );
      },
      { timeoutMs: 30_000 },
    );
    const byNode = new Map<string, number>();
    for (const connection of connections) byNode.set(nodeOf(connection), (byNode.get(nodeOf(connection)) ?? 0) + 1);
    console.log(`      connections per node: ${[...byNode].map(([node, count]) => `${node} ${count}`).join(', ')}`);
    // chat-api cannot connect while it cannot consume this queue: where it lives says what a node's loss costs.
    const users = (await warren.cluster
      .management()
      .request('GET', `/queues/warren/${encodeURIComponent(queues.chatApiUsers.name)}`)) as {
      node?: string;
      type?: string;
    };
    console.log(
      `      persister queue leader ${queue.leader}; ${queues.chatApiUsers.name} (${users.type}) on ${users.node}`,
    );
    for (const node of byNode.keys()) expect(nodeNames()).to.include(node);
  });

  /**
   * Runs `fault` under a stream of posts from Alice (over both chat-api instances in turn) with Alice
   * on gateway 1, Bob on gateway 2 and Carol on both; resolves with the row after checking that
   * nothing accepted was lost, stored twice or missed by a member.
   */
  async function underLoad(scenario: string, fault: () => Promise<void>): Promise<Row> {
    await healthy();
    const created = await fetch(`${warren.endpoints(1).chatUrl}/api/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: scenario.slice(0, 90), members: [bob.username, carol.username] }),
    });
    expect(created.status, 'session created').to.equal(201);
    const sessionId = ((await created.json()) as { id: string }).id;
    const members = [
      { label: 'alice@gw1', member: new OnlineMember(warren.endpoints(1), alice, sessionId) },
      { label: 'bob@gw2', member: new OnlineMember(warren.endpoints(2), bob, sessionId) },
      { label: 'carol@gw1', member: new OnlineMember(warren.endpoints(1), carol, sessionId) },
      { label: 'carol@gw2', member: new OnlineMember(warren.endpoints(2), carol, sessionId) },
    ];
    await Promise.all(members.map(({ member }) => member.start()));
    const poster = new Poster(warren.roundRobin(), alice, sessionId);
    await poster.acceptedAfter(0, 20);
    const faultAt = Date.now();
    await fault();
    await healthy();
    await poster.acceptedAfter(Date.now(), 20);
    await poster.stop();

    const counted = await tally(
      warren,
      sessionId,
      poster,
      members.map(({ member }) => member),
    );
    const { accepted, lost, duplicates } = counted;
    const reconnects = warren.reconnects(faultAt);
    const acceptedTimes = accepted.map((outcome) => outcome.at).filter((at) => at >= faultAt);
    const pauses = acceptedTimes.slice(1).map((at, index) => at - (acceptedTimes[index] as number));
    const row: Row = {
      scenario,
      sent: poster.outcomes.length,
      accepted: accepted.length,
      stored: counted.stored,
      duplicates,
      lost: lost.length,
      refused: counted.refused,
      moved: reconnects.length,
      longestReconnectMs: Math.max(0, ...reconnects.map(({ lostAt, backAt }) => (backAt ?? Date.now()) - lostAt)),
      longestPauseMs: Math.max(0, ...pauses),
      live: members.map(({ label, member }) => `${label} ${counted.liveFilled(member)}`).join(', '),
    };
    await Promise.all(members.map(({ member }) => member.stop()));
    table.push(row);
    console.log(
      `      reconnects: ${reconnects.map((each) => `${each.instance} ${seconds((each.backAt ?? Number.NaN) - each.lostAt)} → ${each.node}`).join('; ')}`,
    );
    expect(
      lost.map((outcome) => outcome.content),
      'accepted but not stored',
    ).to.deep.equal([]);
    expect(duplicates, 'stored twice').to.equal(0);
    for (const { label, member } of members) {
      const missed = accepted.filter((outcome) => !member.has(outcome.id)).map((outcome) => outcome.content);
      expect(missed, `${label} never got`).to.deep.equal([]);
    }
    expect(
      poster.outcomes.some((outcome) => outcome.status === 500),
      'a 500',
    ).to.equal(false);
    expect(
      reconnects.filter(({ backAt }) => backAt === undefined),
      'instances still without the broker',
    ).to.deep.equal([]);
    const queue = await warren.cluster.quorumQueue(queues.persister.name);
    expect([...queue.online].sort(), 'the persister queue online on every node after').to.deep.equal(nodeNames());
    return row;
  }

  /** The node where the persister queue's leader runs now. */
  async function leaderNode(): Promise<PrivateRabbitMq> {
    const { leader } = await warren.cluster.quorumQueue(queues.persister.name);
    const node = warren.cluster.nodes.find((each) => each.node === leader);
    if (node === undefined) throw new Error(`no leader node (${leader})`);
    return node;
  }

  /** The node that holds most of Warren's service connections now. */
  async function busiestNode(): Promise<PrivateRabbitMq> {
    const connections = await warren.cluster.management().connections('warren');
    const counts = new Map<string, number>();
    for (const connection of connections) counts.set(nodeOf(connection), (counts.get(nodeOf(connection)) ?? 0) + 1);
    const [busiest] = [...counts].sort((a, b) => b[1] - a[1])[0] ?? [];
    const node = warren.cluster.nodes.find((each) => each.node === busiest);
    if (node === undefined) throw new Error('no connections');
    return node;
  }

  const waitOut = (since: number) =>
    new Promise((resolve) => setTimeout(resolve, Math.max(0, since + OUTAGE_MS - Date.now()))); // the outage itself

  it("(a) the busiest node's application stopped (stop_app) for 10 s and started again: nothing accepted lost or stored twice", async () => {
    await underLoad('(a) busiest node stop_app 10 s', async () => {
      const node = await busiestNode();
      const stoppedAt = Date.now();
      await node.stopApp();
      await waitOut(stoppedAt);
      await node.startApp();
    });
  });

  it('(b) a rolling restart of the three nodes, one after the other: nothing accepted lost or stored twice', async () => {
    await underLoad('(b) rolling restart of 3 nodes', async () => {
      for (const node of warren.cluster.nodes) {
        await node.shutdown();
        await node.boot();
        await healthy();
      }
    });
  });

  it("(c) the VM of the persister queue leader's node killed (SIGKILL) and booted again after 10 s: nothing accepted lost or stored twice", async () => {
    await underLoad('(c) leader node SIGKILL, back after 10 s', async () => {
      const node = await leaderNode();
      const killedAt = Date.now();
      await node.kill();
      await waitOut(killedAt);
      await node.boot();
    });
  });
});
