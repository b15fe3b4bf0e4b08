// The headline figures of a run (bench/results/latest.json's `summary`), each a number or null when
// its scenario did not run, with what each means and which way is better (`summary_notes`).
import type { CpuPhase } from './cpu.ts';
import { round } from './histogram.ts';
import type { Results } from './report.ts';

/** One process's share of a phase in the summary. */
export interface SummaryCpu {
  pct_core: number;
  us_per_message: number;
  us_per_delivery?: number;
}

/** The summary of a run; the ratios are Warren ÷ baseline. */
export interface Summary {
  fanout_vs_stomp_n100: number | null;
  fanout_vs_stomp_n1000: number | null;
  fanout_vs_queue_baseline_n100: number | null;
  fanout_vs_queue_baseline_n1000: number | null;
  fanout_vs_bare_n100: number | null;
  fanout_vs_bare_n1000: number | null;
  fanout_deliveries_per_s_n100: number | null;
  fanout_deliveries_per_s_n1000: number | null;
  sustained_msgs_per_s: number | null;
  chat_api_vs_bare_c16: number | null;
  chat_api_vs_bare_c64: number | null;
  persister_vs_insert: number | null;
  persister_mixed_vs_plain: number | null;
  persister_mixed_rows_vs_plain: number | null;
  connect_p50_vs_bare: number | null;
  gateway_kib_per_connection: number | null;
  cluster_fanout_vs_single_n100: number | null;
  cluster_fanout_deliveries_per_s_n100: number | null;
  cluster_sustained_p50_vs_single: number | null;
  cluster_sustained_p99_vs_single: number | null;
  cluster_sustained_exactly_once: boolean | null;
  search_one_word_p95_ms: number | null;
  search_three_words_p95_ms: number | null;
  presence_flip_p50_ms: number | null;
  presence_flip_cpu_vs_messages: number | null;
  presence_bounded_deliveries: number | null;
  /** Per measured phase: the process that saturates first and every process's CPU. */
  cpu: Record<string, { saturating: string; processes: Record<string, SummaryCpu> }>;
}

/** What each summary key means and which way is better. */
export const SUMMARY_NOTES: Record<keyof Summary, string> = {
  fanout_vs_stomp_n100:
    'deliveries/s at saturation (closed loop: at most 32 messages outstanding — 8 for 1000 sockets — each until every socket received it), 1 room of 100 sockets: Warren (HTTP posts to chat-api) ÷ RabbitMQ Web-STOMP (AMQP publishes with confirms to the same session exchange). > 1: Warren carries more.',
  fanout_vs_stomp_n1000: 'as fanout_vs_stomp_n100, 1000 sockets. > 1: Warren carries more.',
  fanout_vs_queue_baseline_n100:
    'deliveries/s at saturation, 100 sockets: Warren ÷ the per-client-queue baseline (one exclusive CQv2 queue per socket bound straight to the session exchange, noAck, forwarded to ws; AMQP publishes with confirms). Warren’s session exchange → user exchange hop is part of its overhead here. > 1: Warren carries more; 1 − ratio is what Warren adds.',
  fanout_vs_queue_baseline_n1000: 'as fanout_vs_queue_baseline_n100, 1000 sockets. > 1: Warren carries more.',
  fanout_vs_bare_n100:
    'deliveries/s at saturation, 100 sockets: Warren ÷ a bare ws hub (HTTP posts, no broker). > 1: Warren carries more.',
  fanout_vs_bare_n1000: 'as fanout_vs_bare_n100, 1000 sockets.',
  fanout_deliveries_per_s_n100:
    'Warren’s deliveries/s at saturation, 100 sockets (frames received ÷ first post to last frame). Higher is better.',
  fanout_deliveries_per_s_n1000: 'as fanout_deliveries_per_s_n100, 1000 sockets.',
  sustained_msgs_per_s:
    'highest posting rate held in 10 rooms × 10 members with p99 ≤ 100 ms, every frame delivered, every message stored exactly once (msgs/s; deliveries/s is 10×). A full run holds it 20 s, --quick one 2 s step. Higher is better.',
  chat_api_vs_bare_c16:
    'posts/s, closed loop, 16 in flight: chat-api ÷ a bare express route (own process) publishing the same bytes with a confirm. > 1: Warren faster.',
  chat_api_vs_bare_c64: 'as chat_api_vs_bare_c16, 64 in flight.',
  persister_vs_insert:
    'rows/s draining a backlog (from the persister being ready): persister ÷ the same rows in the same batches as one multi-row INSERT per transaction into a copy of its table. > 1: Warren faster.',
  persister_mixed_vs_plain:
    'messages/s draining a backlog with one edit or reaction per ten messages ÷ draining one of messages only (the median of five rounds’ ratios, the order flipping each round, same run), until every message is stored and every change applied.',
  persister_mixed_rows_vs_plain:
    'as persister_mixed_vs_plain in rows written per second (messages stored + edits and reactions applied; each change writes one row): what issue 16 asks ≥ 0.9 of.',
  connect_p50_vs_bare:
    'p50 of socket open → ready: Warren gateway ÷ a bare ws server (open). < 1: Warren faster; lower is better.',
  gateway_kib_per_connection: 'gateway RSS growth per idle connection, KiB. Lower is better.',
  cluster_fanout_vs_single_n100:
    'deliveries/s at saturation (closed loop, 32 messages outstanding), 1 room of 100 sockets: Warren on a three-node RabbitMQ cluster with two chat-api, two ws-gateway and two persister (sockets alternating over the gateways, posts over the chat-apis, RABBITMQ_URL listing the three nodes) ÷ Warren on one node with one of each, same run. Every node and instance shares the same cores as the other side’s idle processes (2 here), so this measures the cost of clustering on one machine, not the gain of more machines. > 1: the cluster carries more.',
  cluster_fanout_deliveries_per_s_n100:
    'the cluster side’s deliveries/s in cluster_fanout_vs_single_n100. Higher is better.',
  cluster_sustained_p50_vs_single:
    'p50 of post sent → frame received at a fixed 150 msgs/s in 10 rooms × 10 members (after a discarded warm-up): cluster ÷ one node, as in cluster_fanout_vs_single_n100, same cores. > 1: the cluster is slower.',
  cluster_sustained_p99_vs_single: 'as cluster_sustained_p50_vs_single, p99. > 1: the cluster is slower.',
  cluster_sustained_exactly_once:
    'the cluster side of cluster_sustained_p50_vs_single: every post accepted, every frame delivered to every member, every message stored exactly once by the two competing persisters (counted in its database). Must be true.',
  search_one_word_p95_ms:
    'p95 of GET /api/search (one request at a time, through chat-api) for a one-word query (the 100th most frequent word, in about 0.6 % of messages) over 1,000,000 seeded messages in 3000 sessions, the caller a member of 100; ms. Target < 50. Lower is better.',
  search_three_words_p95_ms:
    'as search_one_word_p95_ms, a three-word query (the first three words of the caller’s newest message: every word must match). Lower is better.',
  presence_flip_p50_ms:
    'a user in 100 sessions of 100 members goes online or offline: ms from the cause (socket ready; close + the run’s offline delay) to the last of the 9,900 presence frames the other members receive. Lower is better.',
  presence_flip_cpu_vs_messages:
    'CPU of every process per presence flip ÷ per round of one chat message to each of the same 100 sessions (same deliveries), same run. About 1: a flip costs what 100 messages cost.',
  presence_bounded_deliveries:
    'frames delivered for one online and one offline flip when PRESENCE_FANOUT_MAX_MEMBERS is under the sessions’ size: the bound holds when 0.',
  cpu: 'per measured phase: µs of CPU (utime + stime from /proc) per message and per delivery, and % of one core, for every process; `saturating` is the process with the highest % of a core. postgres = the backends serving the bench database.',
};

const ratio = (a: number | undefined, b: number | undefined): number | null =>
  a === undefined || b === undefined || !Number.isFinite(a / b) ? null : round(a / b, 3);

function cpuOf(phase: CpuPhase | undefined) {
  if (!phase) return undefined;
  const processes: Record<string, SummaryCpu> = {};
  for (const p of phase.processes)
    processes[p.process] = {
      pct_core: p.pctCore,
      us_per_message: p.usPerMessage,
      ...(p.usPerDelivery === undefined ? {} : { us_per_delivery: p.usPerDelivery }),
    };
  return { saturating: phase.saturating, processes };
}

/** Every measured phase's CPU, by a name saying scenario, case and system. */
export function cpuPhases(results: Results): [string, CpuPhase | undefined][] {
  const phases: [string, CpuPhase | undefined][] = [];
  for (const c of results.saturation ?? [])
    for (const run of [c.warren, c.queue, c.stomp, c.bare])
      phases.push([`fanout_saturation_n${c.subscribers}_${run.system}`, run.cpu]);
  for (const c of results.fanout ?? [])
    for (const run of [c.warren, c.queue, c.stomp, c.bare])
      if (run) phases.push([`fanout_rate_${c.rooms}x${c.members}_${run.system}`, run.cpu]);
  for (const s of results.sustained?.steps ?? []) phases.push([`sustained_${s.rate}_per_s_${s.seconds}s`, s.run.cpu]);
  if (results.persister) {
    phases.push(['persister_warren', results.persister.warren.cpu]);
    phases.push(['persister_insert_baseline', results.persister.baseline.cpu]);
    phases.push(['persister_mixed_stream', results.persister.mixed.cpu]);
  }
  for (const c of results.chatApi ?? []) {
    phases.push([`chat_api_c${c.concurrency}_warren`, c.warren.cpu]);
    phases.push([`chat_api_c${c.concurrency}_bare_route`, c.bare.cpu]);
  }
  if (results.presence) {
    phases.push(['presence_flips', results.presence.cpu]);
    phases.push(['presence_baseline_messages', results.presence.baseline.cpu]);
  }
  if (results.connections) {
    phases.push(['connections_warren', results.connections.warren.cpu]);
    phases.push(['connections_bare', results.connections.bare.cpu]);
  }
  return [...phases, ...clusterCpuPhases(results)];
}

/** The cluster scenario's phases (their processes are each node and each instance). */
export function clusterCpuPhases(results: Results): [string, CpuPhase | undefined][] {
  const c = results.cluster;
  if (!c) return [];
  return (['single', 'cluster'] as const).flatMap((side): [string, CpuPhase | undefined][] => [
    [`cluster_sustained_${c.rate}_per_s_${side}`, c[side].sustained.run.cpu],
    [`cluster_fanout_n${c.subscribers}_${side}`, c[side].fanout.cpu],
  ]);
}

export function summarize(results: Results): Summary {
  const sat = (n: number) => results.saturation?.find((c) => c.subscribers === n);
  const chat = (c: number) => results.chatApi?.find((x) => x.concurrency === c);
  const cpu: Summary['cpu'] = {};
  for (const [name, phase] of cpuPhases(results)) {
    const entry = cpuOf(phase);
    if (entry) cpu[name] = entry;
  }
  const d = (n: number, system: 'warren' | 'queue' | 'stomp' | 'bare') => sat(n)?.[system].deliveriesPerSec;
  const cl = results.cluster;
  return {
    fanout_vs_stomp_n100: ratio(d(100, 'warren'), d(100, 'stomp')),
    fanout_vs_stomp_n1000: ratio(d(1000, 'warren'), d(1000, 'stomp')),
    fanout_vs_queue_baseline_n100: ratio(d(100, 'warren'), d(100, 'queue')),
    fanout_vs_queue_baseline_n1000: ratio(d(1000, 'warren'), d(1000, 'queue')),
    fanout_vs_bare_n100: ratio(d(100, 'warren'), d(100, 'bare')),
    fanout_vs_bare_n1000: ratio(d(1000, 'warren'), d(1000, 'bare')),
    fanout_deliveries_per_s_n100: d(100, 'warren') ?? null,
    fanout_deliveries_per_s_n1000: d(1000, 'warren') ?? null,
    sustained_msgs_per_s: results.sustained?.heldRate ?? null,
    chat_api_vs_bare_c16: chat(16)?.ratio ?? null,
    chat_api_vs_bare_c64: chat(64)?.ratio ?? null,
    persister_vs_insert: results.persister?.ratio ?? null,
    persister_mixed_vs_plain: results.persister?.mixedRatio ?? null,
    persister_mixed_rows_vs_plain: results.persister?.mixedRowsRatio ?? null,
    connect_p50_vs_bare: results.connections?.ratios.connectP50 ?? null,
    gateway_kib_per_connection: results.connections?.warren.rssPerConnKiB ?? null,
    cluster_fanout_vs_single_n100: ratio(cl?.cluster.fanout.deliveriesPerSec, cl?.single.fanout.deliveriesPerSec),
    cluster_fanout_deliveries_per_s_n100: cl?.cluster.fanout.deliveriesPerSec ?? null,
    cluster_sustained_p50_vs_single: ratio(cl?.cluster.sustained.run.latency.p50, cl?.single.sustained.run.latency.p50),
    cluster_sustained_p99_vs_single: ratio(cl?.cluster.sustained.run.latency.p99, cl?.single.sustained.run.latency.p99),
    cluster_sustained_exactly_once: cl?.cluster.sustained.exactlyOnce ?? null,
    search_one_word_p95_ms: results.search?.oneWord.latency.p95 ?? null,
    search_three_words_p95_ms: results.search?.threeWords.latency.p95 ?? null,
    presence_flip_p50_ms: results.presence?.flipToLastDelivery.p50 ?? null,
    presence_flip_cpu_vs_messages: results.presence?.cpuRatio ?? null,
    presence_bounded_deliveries: results.presence?.bounded.deliveries ?? null,
    cpu,
  };
}
