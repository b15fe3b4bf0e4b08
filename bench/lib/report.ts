// Turns a results object into the Markdown report and its SVG plots.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChatApiCase } from '../scenarios/chat-api.ts';
import type { ConnectionsResult } from '../scenarios/connections.ts';
import type { FanoutCase } from '../scenarios/fanout.ts';
import type { PersisterResult } from '../scenarios/persister.ts';
import type { ProfileSummary } from '../scenarios/profile.ts';
import type { SustainedResult } from '../scenarios/sustained.ts';
import { round } from './histogram.ts';
import { barChart } from './svg.ts';

export interface Results {
  date: string;
  quick: boolean;
  durationSeconds: number;
  machine: Record<string, string | number>;
  versions: Record<string, string>;
  settings: Record<string, string | number | boolean>;
  fanout?: FanoutCase[];
  sustained?: SustainedResult;
  persister?: PersisterResult;
  chatApi?: ChatApiCase[];
  connections?: ConnectionsResult;
  profile?: ProfileSummary;
  /** chat-api during the same profiling run. */
  chatApiProfile?: ProfileSummary;
  /** The persister draining a backlog. */
  persisterProfile?: ProfileSummary;
  errors: Record<string, string>;
}

const r = (a: number, b: number) => round(a / b, 2);

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
  if (results.fanout) {
    md.push(
      '## 1. Fan-out (post sent → frame received)',
      '',
      'Warren: posts over chat-api HTTP, frames from the ws-gateway (child process). Baseline (a) Web-STOMP: the same session exchanges, subscribers over STOMP/WebSocket, AMQP publishes with confirms. Baseline (b) bare `ws` server: the same frames posted over HTTP and broadcast, no broker. Latencies in ms.',
      '',
      '| R×M | msgs/s | system | p50 | p95 | p99 | max | deliveries/s | frames/expected | post answered p50 / p99 |',
      '|---|---|---|---|---|---|---|---|---|---|',
    );
    for (const c of results.fanout) {
      for (const s of [c.warren, c.stomp, c.bare]) {
        md.push(
          `| ${c.rooms}×${c.members} | ${c.rate} | ${s.system} | ${s.latency.p50} | ${s.latency.p95} | ${s.latency.p99} | ${s.latency.max} | ${s.deliveriesPerSec} | ${s.frames}/${s.expectedFrames}${s.frames < s.expectedFrames ? ' **incomplete**' : ''} | ${s.postAnswer.p50} / ${s.postAnswer.p99} |`,
        );
      }
    }
    md.push(
      '',
      '| R×M | p50 Warren/STOMP | p99 Warren/STOMP | p50 Warren/bare | p99 Warren/bare | deliveries/s Warren/STOMP | Warren/bare |',
      '|---|---|---|---|---|---|---|',
    );
    for (const c of results.fanout) {
      const bad = c.stomp.frames < c.stomp.expectedFrames ? ' (STOMP incomplete: not a valid baseline)' : '';
      md.push(
        `| ${c.rooms}×${c.members}${bad} | ${r(c.warren.latency.p50, c.stomp.latency.p50)} | ${r(c.warren.latency.p99, c.stomp.latency.p99)} | ${r(c.warren.latency.p50, c.bare.latency.p50)} | ${r(c.warren.latency.p99, c.bare.latency.p99)} | ${r(c.warren.deliveriesPerSec, c.stomp.deliveriesPerSec)} | ${r(c.warren.deliveriesPerSec, c.bare.deliveriesPerSec)} |`,
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
      `Highest rate held (p99 < 100 ms, every frame delivered, every message stored exactly once, counted in history.messages): **${s.heldRate} msgs/s** (${s.heldRate * s.members} deliveries/s).`,
      'Baseline: the first (lowest) step of the same search; ratios are p99 at each step ÷ p99 at the first step.',
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
      `${p.messages} messages queued (published in ${p.publishSeconds} s) with the persister stopped, then drained with batch size ${p.batchSize}.`,
      '',
      '| | seconds | rows/s |',
      '|---|---|---|',
      `| Warren persister | ${p.warren.seconds} | ${p.warren.rowsPerSec} |`,
      `| baseline: same rows, same batches, plain INSERT | ${p.baseline.seconds} | ${p.baseline.rowsPerSec} |`,
      `| **ratio** | | **${p.ratio}** |`,
      '',
    );
  }
  if (results.chatApi) {
    md.push(
      '## 4. chat-api posting (closed loop)',
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
