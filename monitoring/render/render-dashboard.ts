// Renders monitoring/grafana/dashboards/message-path.json without Grafana (Debian has no package of
// it): runs each panel's queries against a Prometheus over a time range (its HTTP API,
// /api/v1/query_range), draws each panel as an SVG line chart in one HTML page laid out on the
// dashboard's grid, and has headless Chromium take a PNG of it (docs/operations.md, "The
// dashboard's picture"). Usage:
//   npx tsx monitoring/render/render-dashboard.ts <prometheus URL> <from, unix s> <to, unix s> <out.png>
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [prometheus = 'http://127.0.0.1:9090', from = '', to = '', out = 'dashboard.png'] = process.argv.slice(2);
const STEP_SEC = 15;
/** What Grafana's `$__rate_interval` is at a 15 s scrape interval: four scrapes. */
const RATE_INTERVAL = '1m';
const COLORS = ['#73bf69', '#f2cc0c', '#5794f2', '#ff780a', '#f2495c', '#b877d9', '#8ab8ff', '#fade2a'];
const WIDTH = 560;
const HEIGHT = 200;
const PAD = { left: 56, right: 12, top: 10, bottom: 24 };

interface Target {
  expr: string;
  legendFormat?: string;
}
interface Panel {
  title: string;
  description?: string;
  gridPos: { x: number; y: number; w: number; h: number };
  fieldConfig?: { defaults?: { unit?: string } };
  targets: Target[];
}
interface Series {
  name: string;
  points: [number, number][];
}

const dashboard = JSON.parse(
  readFileSync(new URL('../grafana/dashboards/message-path.json', import.meta.url), 'utf8'),
) as { title: string; panels: Panel[] };

async function queryRange(expr: string): Promise<{ metric: Record<string, string>; values: [number, string][] }[]> {
  const url = new URL('/api/v1/query_range', prometheus);
  url.search = new URLSearchParams({
    query: expr.replaceAll('$__rate_interval', RATE_INTERVAL),
    start: from,
    end: to,
    step: String(STEP_SEC),
  }).toString();
  const answer = (await (await fetch(url)).json()) as {
    status: string;
    error?: string;
    data: { result: { metric: Record<string, string>; values: [number, string][] }[] };
  };
  if (answer.status !== 'success') throw new Error(`${expr}: ${answer.error}`);
  return answer.data.result;
}

const legendOf = (format: string | undefined, metric: Record<string, string>): string =>
  (format ?? '{{__name__}}').replace(/\{\{\s*(\w+)\s*\}\}/g, (_, label: string) => metric[label] ?? '');

const escapeHtml = (text: string): string => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** A value with the panel's unit, shortened: 1.2k, 350 ms. */
function format(value: number, unit: string | undefined): string {
  if (unit === 's') return value < 1 ? `${(value * 1000).toPrecision(3)} ms` : `${value.toPrecision(3)} s`;
  const suffix = unit === 'reqps' ? ' req/s' : unit === 'ops' ? '/s' : '';
  const short = value >= 1000 ? `${(value / 1000).toPrecision(3)}k` : `${Number(value.toPrecision(3))}`;
  return `${short}${suffix}`;
}

function chart(series: Series[], unit: string | undefined): string {
  const start = Number(from);
  const end = Number(to);
  const max = Math.max(0, ...series.flatMap((s) => s.points.map(([, v]) => v))) * 1.1 || 1;
  const x = (t: number) => PAD.left + ((t - start) / (end - start)) * (WIDTH - PAD.left - PAD.right);
  const y = (v: number) => HEIGHT - PAD.bottom - (v / max) * (HEIGHT - PAD.top - PAD.bottom);
  const grid = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const v = max * f;
    return `<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y(v)}" y2="${y(v)}" class="grid"/><text x="${PAD.left - 6}" y="${y(v) + 4}" text-anchor="end">${escapeHtml(format(v, unit))}</text>`;
  });
  const times = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const t = start + (end - start) * f;
    const label = new Date(t * 1000).toISOString().slice(11, 16);
    return `<text x="${x(t)}" y="${HEIGHT - 6}" text-anchor="middle">${label}</text>`;
  });
  const lines = series.map((s, i) => {
    const points = s.points.map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    return `<polyline points="${points}" fill="none" stroke="${COLORS[i % COLORS.length]}" stroke-width="1.5"/>`;
  });
  return `<svg width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}">${grid.join('')}${times.join('')}${lines.join('')}</svg>`;
}

const cards: string[] = [];
for (const panel of dashboard.panels) {
  const series: Series[] = [];
  for (const target of panel.targets) {
    for (const result of await queryRange(target.expr)) {
      series.push({
        name: legendOf(target.legendFormat, result.metric),
        points: result.values.map(([t, v]) => [t, Number(v)] as [number, number]).filter(([, v]) => Number.isFinite(v)),
      });
    }
  }
  const unit = panel.fieldConfig?.defaults?.unit;
  const legend = series
    .map((s, i) => {
      const last = s.points.at(-1)?.[1];
      const value = last === undefined ? '' : ` <b>${escapeHtml(format(last, unit))}</b>`;
      return `<span><i style="background:${COLORS[i % COLORS.length]}"></i>${escapeHtml(s.name)}${value}</span>`;
    })
    .join('');
  const empty = series.length === 0 ? '<div class="empty">No data</div>' : '';
  const { x, y, w, h } = panel.gridPos;
  cards.push(
    `<section style="grid-column:${x + 1} / span ${w};grid-row:${y / 8 + 1} / span ${h / 8}"><h2>${escapeHtml(panel.title)}</h2>${empty}${chart(series, unit)}<div class="legend">${legend}</div></section>`,
  );
}

const range = `${new Date(Number(from) * 1000).toISOString().slice(0, 16)} to ${new Date(Number(to) * 1000).toISOString().slice(11, 16)} UTC`;
const html = `<!doctype html><meta charset="utf-8"><style>
body{margin:0;padding:16px;background:#111217;color:#ccccdc;font:12px/1.4 Inter,Helvetica,Arial,sans-serif}
h1{font-size:16px;margin:0 0 12px;font-weight:500}h1 small{color:#8e8e9e;font-weight:400;margin-left:8px}
main{display:grid;grid-template-columns:repeat(24,1fr);gap:8px;width:1168px}
section{background:#181b1f;border:1px solid #2c3235;border-radius:2px;padding:8px;position:relative}
h2{font-size:13px;font-weight:500;margin:0 0 4px}
svg text{fill:#8e8e9e;font-size:10px}.grid{stroke:#2c3235}
.legend{display:flex;flex-wrap:wrap;gap:2px 12px;margin-top:2px}.legend i{display:inline-block;width:12px;height:3px;margin-right:4px;vertical-align:middle}
.empty{position:absolute;top:45%;width:100%;text-align:center;color:#8e8e9e}
</style><h1>${escapeHtml(dashboard.title)}<small>${escapeHtml(range)}, queried from Prometheus, rendered without Grafana</small></h1><main>${cards.join('')}</main>`;

const dir = mkdtempSync(join(tmpdir(), 'warren-dashboard-'));
writeFileSync(join(dir, 'dashboard.html'), html);
const rows = Math.max(...dashboard.panels.map((p) => (p.gridPos.y + p.gridPos.h) / 8));
const run = spawnSync(
  'chromium',
  [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--hide-scrollbars',
    `--window-size=1200,${60 + rows * 296}`,
    `--screenshot=${out}`,
    `file://${join(dir, 'dashboard.html')}`,
  ],
  { encoding: 'utf8' },
);
if (run.status !== 0) throw new Error(`chromium failed: ${run.stderr}`);
console.log(`wrote ${out}`);
