// Turns a results object into the Markdown report and its SVG plots.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChatApiCase } from '../scenarios/chat-api.ts';
import type { ClusterResult, ClusterSide } from '../scenarios/cluster.ts';
import type { ConnectionsResult } from '../scenarios/connections.ts';
import type { FanoutCase, RunResult, SaturationCase } from '../scenarios/fanout.ts';
import { type PersisterResult, roundRatios } from '../scenarios/persister.ts';
import type { PresenceResult } from '../scenarios/presence.ts';
import type { ProfileSummary } from '../scenarios/profile.ts';
import type { SearchResult } from '../scenarios/search.ts';
import type { SustainedResult } from '../scenarios/sustained.ts';
import type { CpuPhase } from './cpu.ts';
import { round } from './histogram.ts';
import { clusterCpuPhases, cpuPhases, SUMMARY_NOTES, type Summary } from './summary.ts';
import { barChart } from './svg.ts';

export interface Results {
  date: string;
  quick: boolean;
  durationSeconds: number;
  machine: Record<string, string | number>;
  versions: Record<string, string>;
  settings: Record<string, string | number | boolean>;
  /** The headline figures (also in bench/results/latest.json). */
  summary?: Summary;
  /** What each summary key means and which way is better. */
  summary_notes?: Record<string, string>;
  /** Fan-out at a fixed offered rate (latency). */
  fanout?: FanoutCase[];
  /** Fan-out at saturation (closed loop). */
  saturation?: SaturationCase[];
  sustained?: SustainedResult;
  persister?: PersisterResult;
  chatApi?: ChatApiCase[];
  connections?: ConnectionsResult;
  /** Full-text message search over a seeded million messages. */
  search?: SearchResult;
  /** What a presence flip costs a user in 100 sessions of 100 members, against messages to the same sessions. */
  presence?: PresenceResult;
  /** Three RabbitMQ nodes and two of each service against one node, same run. */
  cluster?: ClusterResult;
  profile?: ProfileSummary;
  /** chat-api during the same profiling run. */
  chatApiProfile?: ProfileSummary;
  /** The persister draining a backlog. */
  persisterProfile?: ProfileSummary;
  errors: Record<string, string>;
}

const r = (a: number, b: number) => round(a / b, 2);

/**
 * One row per phase, one column per process: % of one core · µs per message · µs per delivery
 * (fan-out only), the busiest process in bold.
 */
function cpuTable(phases: [string, CpuPhase][]): string[] {
  const names = [...new Set(phases.flatMap(([, p]) => p.processes.map((x) => x.process)))];
  return [
    `| phase | s | busiest | ${names.join(' | ')} |`,
    `|---|---|---|${names.map(() => '---').join('|')}|`,
    ...phases.map(([name, p]) => {
      const cells = names.map((n) => {
        const x = p.processes.find((y) => y.process === n);
        return x
          ? `${x.pctCore} % · ${x.usPerMessage}${x.usPerDelivery === undefined ? '' : ` · ${x.usPerDelivery}`}`
          : '';
      });
      return `| ${name} | ${p.seconds} | **${p.saturating}** | ${cells.join(' | ')} |`;
    }),
  ];
}

/** The cluster scenario's section: both sides' figures, the ratios, and the CPU of every node and instance. */
function clusterSection(c: ClusterResult, cores: string | number): string[] {
  const sides: [string, ClusterSide][] = [
    ['one node: 1 chat-api, 1 ws-gateway, 1 persister', c.single],
    [`${c.nodes}-node cluster: 2 chat-api, 2 ws-gateway, 2 persister`, c.cluster],
  ];
  const placement = (side: ClusterSide) =>
    Object.entries(side.placement)
      .map(([instance, nodes]) => `${instance} → ${nodes.join(', ')}`)
      .join('; ');
  const phases = clusterCpuPhases({ cluster: c } as Results).filter((p): p is [string, CpuPhase] => p[1] !== undefined);
  const sideOf = (side: string) => phases.filter(([name]) => name.endsWith(`_${side}`));
  return [
    `## 5b. Scaled out: a ${c.nodes}-node RabbitMQ cluster against one node`,
    '',
    `Two sides in the same run, each its own processes. **single**: the bench’s one node with one chat-api, one ws-gateway and one persister (measured first, before the cluster boots). **cluster**: ${c.nodes} private RabbitMQ nodes joined into one cluster (one Erlang cookie, \`rabbitmqctl join_cluster\`, the deployment’s definitions, quorum queues grown onto every node; booted and its services listening in ${c.startSeconds} s), a database of its own, two chat-api, two ws-gateway and two persister, every instance given RABBITMQ_URL listing the ${c.nodes} nodes (each client starts at a random node of the list, so where the instances land, shown below, differs from run to run, and so do the figures). Member i of a room has its socket on gateway i mod 2; posts alternate over the chat-apis; the one auth serves both sides’ JWKS. On each side: a warm-up at ${c.rate} msgs/s (discarded), ${c.rate} msgs/s for ${c.sustainedSeconds} s in ${c.rooms} rooms × ${c.members} members, then fan-out at saturation to one room of ${c.subscribers} sockets (closed loop, ${c.outstanding} messages outstanding, ${c.fanoutSeconds} s). **Every node and instance runs on the same cores as everything else (${cores} cores):** the cluster pays for replication and inter-node routing without getting a core more, so this is the cost of clustering on one machine, not the gain of spreading it over several. Latencies in ms.`,
    '',
    `| side | AMQP connections (instance → node) | ${c.rate} msgs/s p50 | p99 | max | post answered p50 / p99 | frames/expected | stored (distinct)/posted | exactly once | saturation posts/s | deliveries/s | p50 | p99 | frames/expected |`,
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...sides.map(([label, side]) => {
      const s = side.sustained;
      const f = side.fanout;
      return `| ${label} | ${placement(side)} | ${s.run.latency.p50} | ${s.run.latency.p99} | ${s.run.latency.max} | ${s.run.postAnswer.p50} / ${s.run.postAnswer.p99} | ${s.run.frames}/${s.run.expectedFrames} | ${s.stored} (${s.storedDistinct})/${s.run.messages} | ${s.exactlyOnce ? 'yes' : '**no**'} | ${f.rate} | ${f.deliveriesPerSec} | ${f.latency.p50} | ${f.latency.p99} | ${f.frames}/${f.expectedFrames}${f.frames < f.expectedFrames ? ' **incomplete**' : ''} |`;
    }),
    '',
    '| cluster ÷ single | fan-out deliveries/s | fan-out posts/s | fixed-rate p50 | fixed-rate p99 |',
    '|---|---|---|---|---|',
    `| ratio | **${r(c.cluster.fanout.deliveriesPerSec, c.single.fanout.deliveriesPerSec)}** | ${r(c.cluster.fanout.rate, c.single.fanout.rate)} | ${r(c.cluster.sustained.run.latency.p50, c.single.sustained.run.latency.p50)} | ${r(c.cluster.sustained.run.latency.p99, c.single.sustained.run.latency.p99)} |`,
    '',
    'CPU per process on each side, one table each (cells as in the CPU table below; broker-n = node n’s beam.smp, postgres = the backends of that side’s database, auth = the one auth both sides share; the other side’s processes idle meanwhile and are not shown):',
    '',
    ...cpuTable(sideOf('single')),
    '',
    ...cpuTable(sideOf('cluster')),
    '',
  ];
}

/** Writes `<stem>.md` and its SVGs into `dir`; returns the Markdown. */
export function writeReport(results: Results, dir: string, stem: string): string {
  const md: string[] = [];
  const plot = (name: string, svg: string) => {
    writeFileSync(join(dir, `${stem}-${name}.svg`), svg);
    md.push(`![${name}](${stem}-${name}.svg)`, '');
  };
  md.push(
    `# Warren benchmark, ${results.date}${results.quick ? ' (--quick)' : ''}`,
    '',
    `Run time ${Math.round(results.durationSeconds)} s. Raw figures: [${stem}.json](${stem}.json).`,
    'Every ratio is Warren ÷ baseline measured in the same run (latency: > 1 is slower; throughput: < 1 is slower).',
    'Two cores run the broker, PostgreSQL, the services, the clients and the load: repeated runs differ (tails most), so compare ratios.',
    '',
    '## Machine, versions, settings',
    '',
    '| | |',
    '|---|---|',
    ...Object.entries({ ...results.machine, ...results.versions, ...results.settings }).map(
      ([k, v]) => `| ${k} | ${v} |`,
    ),
    '',
  );
  if (Object.keys(results.errors).length > 0) {
    md.push('## Scenarios that failed', '', ...Object.entries(results.errors).map(([k, v]) => `- ${k}: ${v}`), '');
  }
  if (results.summary) {
    md.push(
      '## Summary (bench/results/latest.json)',
      '',
      '| figure | value | meaning |',
      '|---|---|---|',
      ...Object.entries(results.summary)
        .filter(([k]) => k !== 'cpu')
        .map(([k, v]) => `| ${k} | ${v ?? 'not measured'} | ${SUMMARY_NOTES[k as keyof Summary]} |`),
      '',
    );
  }
  const row = (label: string, s: RunResult) =>
    `| ${label} | ${s.rate} | ${s.system} | ${s.latency.p50} | ${s.latency.p95} | ${s.latency.p99} | ${s.latency.max} | ${s.deliveriesPerSec} | ${s.frames}/${s.expectedFrames}${s.frames < s.expectedFrames ? ' **incomplete**' : ''} | ${s.postAnswer.p50} / ${s.postAnswer.p99} | ${s.cpu ? `${s.cpu.saturating} ${s.cpu.processes[0]?.pctCore} %` : ''} |`;
  const header = (first: string, rate: string) => [
    `| ${first} | ${rate} | system | p50 | p95 | p99 | max | deliveries/s | frames/expected | post answered p50 / p99 | busiest process (% of a core) |`,
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  const systemsOf = (c: { warren: RunResult; queue?: RunResult; stomp: RunResult; bare: RunResult }) =>
    [c.warren, c.queue, c.stomp, c.bare].filter((s): s is RunResult => s !== undefined);
  if (results.saturation) {
    md.push(
      '## 1. Fan-out at saturation (closed loop)',
      '',
      'One room of N sockets; posts are sent as fast as they are answered with at most the stated number outstanding, for the stated seconds; deliveries/s = frames received ÷ (last frame received − first post sent). Warren: HTTP posts to chat-api, frames from the ws-gateway (session exchange → user exchange → one queue per connection). Baselines: **queue** = the per-client-queue consumer (bench/lib/queue-baseline.ts, own process): one exclusive classic queue (`x-queue-version: 2`) per socket bound **straight to the session exchange**, noAck, each delivery written to its `ws` socket; so the exchange-to-exchange hop Warren makes is part of the overhead measured against it. **stomp** = RabbitMQ Web-STOMP subscribers of the session exchange. Both fed by AMQP publishes with confirms to the session exchange, from the load process. **bare-ws** = a bare `ws` hub (own process), HTTP posts, no broker. Every system’s publishes also reach the persister (the session exchange is bound to `warren.messages`). A message is outstanding from its post until every socket received it (10 s at most), so here “post answered” is post sent → received by every socket. Latencies in ms.',
      '',
      ...header('sockets (users × sockets each), outstanding', 'posts/s'),
    );
    for (const c of results.saturation)
      for (const s of systemsOf(c))
        md.push(row(`${c.subscribers} (${c.members} × ${c.subscribers / c.members}), ${c.outstanding}`, s));
    md.push(
      '',
      '| sockets | deliveries/s Warren ÷ queue baseline | ÷ Web-STOMP | ÷ bare ws |',
      '|---|---|---|---|',
      ...results.saturation.map(
        (c) =>
          `| ${c.subscribers} | **${r(c.warren.deliveriesPerSec, c.queue.deliveriesPerSec)}** | ${r(c.warren.deliveriesPerSec, c.stomp.deliveriesPerSec)} | ${r(c.warren.deliveriesPerSec, c.bare.deliveriesPerSec)} |`,
      ),
      '',
    );
    plot(
      'fanout-saturation',
      barChart({
        title: 'Fan-out at saturation: deliveries/s',
        unit: 'deliveries/s',
        groups: results.saturation.map((c) => `${c.subscribers} sockets`),
        series: [
          { name: 'Warren', values: results.saturation.map((c) => c.warren.deliveriesPerSec) },
          { name: 'queue baseline', values: results.saturation.map((c) => c.queue.deliveriesPerSec) },
          { name: 'Web-STOMP', values: results.saturation.map((c) => c.stomp.deliveriesPerSec) },
          { name: 'bare ws', values: results.saturation.map((c) => c.bare.deliveriesPerSec) },
        ],
      }),
    );
  }
  if (results.fanout) {
    md.push(
      '## 1b. Fan-out latency at a fixed rate (post sent → frame received)',
      '',
      'The same systems as in 1, R rooms × M members, posts offered at a fixed rate (open loop). Latencies in ms.',
      '',
      ...header('R×M', 'msgs/s'),
    );
    for (const c of results.fanout) for (const s of systemsOf(c)) md.push(row(`${c.rooms}×${c.members}`, s));
    md.push(
      '',
      '| R×M | p50 Warren/queue | p99 Warren/queue | p50 Warren/STOMP | p99 Warren/STOMP | p50 Warren/bare | p99 Warren/bare | deliveries/s Warren/STOMP | Warren/bare |',
      '|---|---|---|---|---|---|---|---|---|',
    );
    for (const c of results.fanout) {
      const bad = c.stomp.frames < c.stomp.expectedFrames ? ' (STOMP incomplete: not a valid baseline)' : '';
      md.push(
        `| ${c.rooms}×${c.members}${bad} | ${c.queue ? r(c.warren.latency.p50, c.queue.latency.p50) : ''} | ${c.queue ? r(c.warren.latency.p99, c.queue.latency.p99) : ''} | ${r(c.warren.latency.p50, c.stomp.latency.p50)} | ${r(c.warren.latency.p99, c.stomp.latency.p99)} | ${r(c.warren.latency.p50, c.bare.latency.p50)} | ${r(c.warren.latency.p99, c.bare.latency.p99)} | ${r(c.warren.deliveriesPerSec, c.stomp.deliveriesPerSec)} | ${r(c.warren.deliveriesPerSec, c.bare.deliveriesPerSec)} |`,
      );
    }
    md.push('');
    const groups = results.fanout.map((c) => `${c.rooms}×${c.members}`);
    for (const percentile of ['p99', 'p50'] as const) {
      plot(
        `fanout-${percentile}`,
        barChart({
          title: `Fan-out ${percentile} latency (post → frame)`,
          unit: 'ms',
          groups,
          log: true,
          series: [
            { name: 'Warren', values: results.fanout.map((c) => c.warren.latency[percentile]) },
            { name: 'Web-STOMP', values: results.fanout.map((c) => c.stomp.latency[percentile]) },
            { name: 'bare ws', values: results.fanout.map((c) => c.bare.latency[percentile]) },
          ],
        }),
      );
    }
  }
  if (results.sustained) {
    const s = results.sustained;
    md.push(
      `## 2. Sustained load (${s.rooms} rooms × ${s.members} members)`,
      '',
      `Highest rate held (p99 ≤ 100 ms, every frame delivered, every message stored exactly once, counted in history.messages): **${s.heldRate} msgs/s** (${s.heldRate * s.members} deliveries/s).`,
      'The search doubles the rate from 300 msgs/s until a step fails, then bisects between the highest rate held and the lowest failed; a full run then holds the answer for 20 s (one step lower if that fails). Baseline: the first step of the same search; ratios are p99 at each step ÷ p99 at the first step.',
      '',
      '| msgs/s | s | p50 | p99 | max | frames/expected | stored (distinct)/posted | p99 ÷ first step | held |',
      '|---|---|---|---|---|---|---|---|---|',
      ...s.steps.map(
        (t) =>
          `| ${t.rate} | ${t.seconds} | ${t.run.latency.p50} | ${t.run.latency.p99} | ${t.run.latency.max} | ${t.run.frames}/${t.run.expectedFrames} | ${t.stored} (${t.storedDistinct})/${t.run.messages} | ${r(t.run.latency.p99, s.steps[0]?.run.latency.p99 ?? Number.NaN)} | ${t.pass ? 'yes' : `no: ${t.why}`} |`,
      ),
      '',
    );
    plot(
      'sustained',
      barChart({
        title: 'Sustained load: latency per step',
        unit: 'ms',
        groups: s.steps.map((t) => `${t.rate}/s ${t.seconds}s`),
        log: true,
        series: [
          { name: 'p50', values: s.steps.map((t) => t.run.latency.p50) },
          { name: 'p99', values: s.steps.map((t) => t.run.latency.p99) },
        ],
      }),
    );
  }
  if (results.persister) {
    const p = results.persister;
    md.push(
      '## 3. Persister drain',
      '',
      `${p.messages} messages queued (published in ${p.publishSeconds} s) with the persister stopped, then drained with batch size ${p.batchSize}; the persister's clock starts once it is ready (${p.warren.storedAtReady ?? '?'} rows already stored then, not counted). The baseline's table is a copy of history.messages (same indexes) holding the ${p.baseline.startRows ?? '?'} rows the persister's table held before its drain; its INSERTs run from the load process, which does nothing else meanwhile.`,
      '',
      '| | seconds | rows/s |',
      '|---|---|---|',
      `| Warren persister | ${p.warren.seconds} | ${p.warren.rowsPerSec} |`,
      `| baseline: same rows, same batches, plain INSERT | ${p.baseline.seconds} | ${p.baseline.rowsPerSec} |`,
      `| **ratio** | | **${p.ratio}** |`,
      '',
      `Mixed stream, A/B in rounds: ${p.mixed.messages} messages only and ${p.mixed.messages} messages with ${p.mixed.changes} changes among them (one per ten, alternately an edit and a reaction of a message posted ten before), each drained the same way until every message is stored and every change applied. Rows/s is rows written: a message stored, an edit applied (its message's row rewritten) and a reaction applied (a row of its own) each count one, so it is messages/s for the plain drains. The order flips each round (even rounds drain the mixed backlog first); the figure is the median of the rounds' ratios. Per round:`,
      '',
      '| round | messages only: msgs/s = rows/s | mixed: msgs/s | mixed: rows/s | ratio of msgs/s | ratio of rows/s |',
      '|---|---|---|---|---|---|',
      ...p.mixed.plainRowsPerSec.map((plain, i) => {
        const msgsRatio = roundRatios(p.mixed, p.mixed.mixedRowsPerSec)[i] ?? Number.NaN;
        const rowsRatio = roundRatios(p.mixed, p.mixed.mixedDeliveriesPerSec)[i] ?? Number.NaN;
        return `| ${i + 1} | ${plain} | ${p.mixed.mixedRowsPerSec[i]} | ${p.mixed.mixedDeliveriesPerSec[i]} | ${round(msgsRatio, 3)} | ${round(rowsRatio, 3)} |`;
      }),
      `| **median of the rounds' ratios** | | | | **${p.mixedRatio}** | **${p.mixedRowsRatio}** (≥ 0.9 asked) |`,
      '',
    );
  }
  if (results.chatApi) {
    md.push(
      '## 4. chat-api posting (closed loop)',
      '',
      'Baseline: a bare express route in a process of its own (bench/lib/bare-route.ts) publishing the same bytes with a confirm, no validation, no token check, no queries.',
      '',
      '| concurrency | Warren posts/s | p50 | p99 | bare express posts/s | p50 | p99 | posts/s ratio | p99 ratio |',
      '|---|---|---|---|---|---|---|---|---|',
      ...results.chatApi.map(
        (c) =>
          `| ${c.concurrency} | ${c.warren.postsPerSec} | ${c.warren.latency.p50} | ${c.warren.latency.p99} | ${c.bare.postsPerSec} | ${c.bare.latency.p50} | ${c.bare.latency.p99} | ${c.ratio} | ${r(c.warren.latency.p99, c.bare.latency.p99)} |`,
      ),
      '',
    );
    plot(
      'chat-api',
      barChart({
        title: 'chat-api posts per second',
        unit: 'posts/s',
        groups: results.chatApi.map((c) => `concurrency ${c.concurrency}`),
        series: [
          { name: 'Warren chat-api', values: results.chatApi.map((c) => c.warren.postsPerSec) },
          { name: 'bare express + confirm', values: results.chatApi.map((c) => c.bare.postsPerSec) },
        ],
      }),
    );
  }
  if (results.search) {
    const s = results.search;
    md.push(
      '## Message search (GET /api/search)',
      '',
      `${s.messages} messages seeded over ${s.sessions} sessions (in ${s.seedSeconds} s), the caller a member of ${s.callerSessions} (${s.callerMessages} messages); history.messages holds ${s.tableRows} rows with earlier scenarios'; one request at a time. Database ${s.databaseSize}, history.messages ${s.messagesTableSize} with indexes, the GIN search index ${s.searchIndexSize}.`,
      '',
      '| query | matches (caller) | requests | p50 ms | p95 ms | p99 ms | errors |',
      '|---|---|---|---|---|---|---|',
      ...[s.oneWord, s.threeWords].map(
        (q) =>
          `| \`${q.query}\` | ${q.matches} | ${q.latency.count} | ${q.latency.p50} | ${q.latency.p95} | ${q.latency.p99} | ${q.errors} |`,
      ),
      '',
      ...[s.oneWord, s.threeWords].flatMap((q) => [`Plan for \`${q.query}\`:`, '', '```', q.plan, '```', '']),
    );
  }
  if (results.presence) {
    const p = results.presence;
    const cpuRow = (phase: CpuPhase, per: number) =>
      phase.processes
        .filter((each) => each.cpuMs > 0)
        .map((each) => `${each.process} ${round(each.cpuMs / per, 1)}`)
        .join(', ');
    md.push(
      '## Presence fan-out',
      '',
      `One user in ${p.sessions} sessions of ${p.members} members goes online and offline (${p.flips} flips); the other ${p.members - 1} members have a socket each on the gateway. A flip publishes one \`presence\` event per session, so ${p.deliveriesPerFlip} deliveries. Baseline, same run, same sockets: one chat message published to each of the ${p.sessions} sessions (${p.baseline.deliveriesPerRound} deliveries a round, ${p.baseline.rounds} rounds). Time from the cause (the user's socket ready; its close plus the ${p.offlineDelayMs} ms offline delay set for the run) to the last delivery.`,
      '',
      '| | per | p50 ms | p99 ms | CPU ms per flip or round, by process |',
      '|---|---|---|---|---|',
      `| presence flip | flip | ${p.flipToLastDelivery.p50} | ${p.flipToLastDelivery.p99} | ${cpuRow(p.cpu, p.flips)} |`,
      `| baseline: a message to each session | round | ${p.baseline.toLastDelivery.p50} | ${p.baseline.toLastDelivery.p99} | ${cpuRow(p.baseline.cpu, p.baseline.rounds)} |`,
      `| **CPU ratio, flip ÷ round** | | | | **${p.cpuRatio}** |`,
      '',
      `The bound: with PRESENCE_FANOUT_MAX_MEMBERS = ${p.bounded.maxMembers} (under the sessions' ${p.members} members), one online and one offline flip delivered ${p.bounded.deliveries} frames; chat-api skipped ${p.bounded.sessionsSkipped} session events.`,
      '',
    );
  }
  if (results.connections) {
    const c = results.connections;
    md.push(
      `## 5. ${c.connections} idle connections`,
      '',
      '| | Warren gateway | bare ws | ratio |',
      '|---|---|---|---|',
      `| failures | ${c.warren.failures} | ${c.bare.failures} | |`,
      `| connect p50 / p99 (ms) | ${c.warren.connect.p50} / ${c.warren.connect.p99} | ${c.bare.connect.p50} / ${c.bare.connect.p99} | ${c.ratios.connectP50} (p50) |`,
      `| all connected in (s, 50 at a time) | ${c.warren.totalSeconds} | ${c.bare.totalSeconds} | ${c.ratios.totalTime} |`,
      `| server RSS per connection (KiB) | ${c.warren.rssPerConnKiB} | ${c.bare.rssPerConnKiB} | ${c.ratios.rssPerConn} |`,
      `| gateway heap per connection (KiB) | ${c.warren.heapPerConnKiB} | | |`,
      `| broker memory per queue (KiB, /api/nodes mem_used) | ${c.warren.brokerPerQueueKiB} | 0 | |`,
      '',
    );
  }
  if (results.cluster) md.push(...clusterSection(results.cluster, results.machine.cpus ?? '?'));
  const clusterPhases = new Set(clusterCpuPhases(results).map(([name]) => name));
  const phases = cpuPhases(results).filter(
    (p): p is [string, CpuPhase] => p[1] !== undefined && !clusterPhases.has(p[0]),
  );
  if (phases.length > 0) {
    md.push(
      '## CPU per process, every measured phase',
      '',
      'utime + stime from /proc/<pid>/stat before and after each phase. Each cell: % of one core · µs per message (post, row or connection) · µs per delivery (fan-out only). broker = the node’s beam.smp; postgres = the backends serving the bench database (pg_stat_activity at start and end); load = the orchestrating process (posts, publishes, the persister baseline’s INSERTs); clients = the WebSocket clients’ process. **Busiest** is the process that saturates first.',
      '',
      ...cpuTable(phases),
      '',
    );
  }
  const profiles: [string, string, ProfileSummary | undefined][] = [
    [
      '6. CPU profiles of the hot path: the gateway',
      'on the gateway child during a 1 × 100 fan-out at 50 msgs/s, run last and apart from every figure above',
      results.profile,
    ],
    [
      '6b. CPU profiles of the hot path: chat-api',
      'on the chat-api child during the same fan-out (its posts)',
      results.chatApiProfile,
    ],
    [
      '6c. CPU profiles: the persister draining a backlog',
      'on a persister child started on a backlog and stopped once it was stored',
      results.persisterProfile,
    ],
  ];
  for (const [title, what, p] of profiles) {
    if (p === undefined) continue;
    md.push(
      `## ${title}`,
      '',
      `\`node --cpu-prof\` ${what}: ${p.totalMs} ms sampled, ${p.idlePct} % idle; of busy time GC ${p.gcPct} %.`,
      '',
      '| area | % of busy |',
      '|---|---|',
      ...p.byArea.map((a) => `| ${a.area} | ${a.pct} |`),
      '',
      '| function | where | self ms | % of busy |',
      '|---|---|---|---|',
      ...p.top.map((t) => `| \`${t.function}\` | ${t.where} | ${t.selfMs} | ${t.pct} |`),
      '',
    );
  }
  const text = md.join('\n');
  writeFileSync(join(dir, `${stem}.md`), text);
  return text;
}
