/**
 * Reading metric names out of Prometheus's text format and out of PromQL, enough for Warren's
 * dashboards and rules: their queries are aggregations, functions, selectors and arithmetic.
 */

/** What Grafana's `$__rate_interval` stands for when a query is run outside Grafana. */
export const RATE_INTERVAL = '1m';

/** PromQL words that are not metric names: aggregations, functions and keywords. */
const PROMQL_WORDS = new Set([
  'sum',
  'min',
  'max',
  'avg',
  'count',
  'stddev',
  'stdvar',
  'topk',
  'bottomk',
  'quantile',
  'group',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
]);

/** A query of a dashboard panel, with the panel's title. */
export interface PanelQuery {
  readonly panel: string;
  readonly expr: string;
}

/** Every Prometheus query of a Grafana dashboard's panels. */
export function dashboardExpressions(dashboard: {
  panels: { title: string; targets?: { expr?: string }[] }[];
}): PanelQuery[] {
  return dashboard.panels.flatMap((panel) =>
    (panel.targets ?? []).flatMap((target) => (target.expr ? [{ panel: panel.title, expr: target.expr }] : [])),
  );
}

/** The metric names a PromQL expression selects. */
export function metricNamesIn(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""') // label values
    .replace(/\{[^}]*\}/g, ' ') // label matchers
    .replace(/\[[^\]]*\]/g, ' ') // ranges
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' '); // label lists
  const names = new Set<string>();
  for (const match of bare.matchAll(/[A-Za-z_:][\w:]*(?!\w)(?!\s*\()/g)) {
    const word = match[0];
    const before = bare[(match.index ?? 0) - 1] ?? '';
    // Not a function (followed by "("), a keyword, a number's exponent or a duration's unit.
    if (PROMQL_WORDS.has(word) || /[\d.]/.test(before) || word.startsWith('$')) continue;
    names.add(word);
  }
  return [...names];
}

/**
 * The metric names an exposition (the text of a `/metrics` page) declares: its `# TYPE` lines, with
 * the series a histogram or summary is exported as.
 */
export function metricNamesOf(text: string): string[] {
  const names: string[] = [];
  for (const match of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name = '', type] = match;
    names.push(name);
    if (type === 'histogram') names.push(`${name}_bucket`, `${name}_sum`, `${name}_count`);
    if (type === 'summary') names.push(`${name}_sum`, `${name}_count`);
  }
  return names;
}
