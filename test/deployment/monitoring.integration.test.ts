import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger } from '@warren/shared/logging';
import type { RunningService } from '@warren/shared/service';
import { serviceEnv, testConfig } from '@warren/shared/testing';
import { expect } from 'chai';
import { parse, stringify } from 'yaml';
import { PrometheusTargets } from '../../bench/lib/prometheus-targets.ts';
import * as auth from '../../services/auth/src/index.ts';
import * as chatApi from '../../services/chat-api/src/index.ts';
import * as persister from '../../services/persister/src/index.ts';
import * as gateway from '../../services/ws-gateway/src/index.ts';
import { dashboardExpressions, metricNamesIn, metricNamesOf, RATE_INTERVAL } from './promql-names.ts';

/**
 * monitoring/ checked by the tools that read it: `promtool check config` and `check rules`, the
 * alerts' unit tests (`promtool test rules`), and the Grafana dashboard: valid JSON whose every
 * query parses (as a recording rule, by promtool) and names only metrics that Warren's four
 * services and RabbitMQ's rabbitmq_prometheus plugin really export, read from their /metrics.
 * Needs promtool, from Debian package `prometheus` (.ci/run installs it), and the plugin enabled
 * on the test broker (.ci/run enables it).
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PROMETHEUS = join(ROOT, 'monitoring/prometheus');
const DASHBOARDS = join(ROOT, 'monitoring/grafana/dashboards');
const INSTALL_HINT =
  'promtool is not installed: install it with `apt-get update && apt-get install -y prometheus` ' +
  '(Debian package prometheus ships promtool) and run the tests again';
/** RabbitMQ's Prometheus endpoint on the test broker's host (rabbitmq_prometheus, port 15692). */
const rabbitMetricsUrl = (path: string): string => {
  const url = new URL(testConfig().managementUrl);
  return `http://${url.hostname}:15692${path}`;
};

/** Runs promtool; fails (never skips) without it. */
function promtool(...args: string[]): { status: number | null; output: string } {
  const run = spawnSync('promtool', args, { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  if (run.error !== undefined) {
    const code = (run.error as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? INSTALL_HINT : `promtool could not run: ${run.error.message}`);
  }
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

interface Dashboard {
  uid: string;
  title: string;
  panels: { id: number; title: string; datasource?: { uid?: string }; targets?: { expr?: string; refId: string }[] }[];
}

const dashboards = (): [string, Dashboard][] =>
  readdirSync(DASHBOARDS)
    .filter((file) => file.endsWith('.json'))
    .map((file) => [file, JSON.parse(readFileSync(join(DASHBOARDS, file), 'utf8')) as Dashboard]);

describe('monitoring/prometheus', function () {
  this.timeout(60_000);

  it('passes `promtool check config` (and the rule files it loads)', () => {
    const { status, output } = promtool('check', 'config', join(PROMETHEUS, 'prometheus.yml'));
    expect(status, output).to.equal(0);
    expect(output).to.match(/SUCCESS: \d+ rules found/);
  });

  it('passes `promtool check rules`, with an alert for lag, dead letters and a target down', () => {
    const files = readdirSync(join(PROMETHEUS, 'rules')).map((file) => join(PROMETHEUS, 'rules', file));
    expect(files).to.not.be.empty;
    const { status, output } = promtool('check', 'rules', ...files);
    expect(status, output).to.equal(0);
    const rules = files.flatMap((file) => readFileSync(file, 'utf8').match(/^\s*- alert: (\S+)/gm) ?? []);
    const names = rules.map((line) => line.replace(/^\s*- alert: /, ''));
    expect(names).to.include.members(['WarrenTargetDown', 'WarrenPersisterLagHigh', 'WarrenDeadLettersGrowing']);
  });

  it("passes `promtool check config` for bench.yml, which has prometheus.yml's jobs with the bench's targets", () => {
    const { status, output } = promtool('check', 'config', join(PROMETHEUS, 'bench.yml'));
    expect(status, output).to.equal(0);
    interface Job {
      job_name: string;
      metrics_path?: string;
      params?: unknown;
      metric_relabel_configs?: unknown;
      file_sd_configs?: { files: string[] }[];
    }
    const jobs = (file: string) =>
      (parse(readFileSync(join(PROMETHEUS, file), 'utf8')) as { scrape_configs: Job[] }).scrape_configs;
    const deployed = jobs('prometheus.yml');
    const bench = jobs('bench.yml');
    // The same scrapes, so every dashboard query and alert reads the bench's processes as it reads the deployment's.
    const scrape = ({ job_name, metrics_path, params, metric_relabel_configs }: Job) => ({
      job_name,
      metrics_path,
      params,
      metric_relabel_configs,
    });
    expect(bench.map(scrape)).to.deep.equal(deployed.map(scrape));
    // Each job's targets come from the file the bench writes for it (bench/lib/prometheus-targets.ts).
    const folder = mkdtempSync(join(tmpdir(), 'warren-bench-targets-'));
    new PrometheusTargets(folder, 15692);
    for (const job of bench) {
      const files = job.file_sd_configs?.flatMap((config) => config.files) ?? [];
      expect(files, job.job_name).to.have.length(1);
      const written = JSON.parse(readFileSync(join(folder, (files[0] as string).replace(/^targets\//, '')), 'utf8'));
      expect(written, job.job_name).to.be.an('array').with.length(1);
    }
  });

  it('fires each alert when it should and not before: `promtool test rules`', () => {
    const { status, output } = promtool('test', 'rules', join(PROMETHEUS, 'tests/warren.test.yml'));
    expect(status, output).to.equal(0);
    expect(output).to.include('SUCCESS');
  });

  it('passes `promtool check config` for cluster.yml (with cluster-rules/), whose alert fires when an instance is gone', () => {
    const checked = promtool('check', 'config', join(PROMETHEUS, 'cluster.yml'));
    expect(checked.status, checked.output).to.equal(0);
    expect(checked.output).to.include('cluster-rules/instances.yml');
    const tested = promtool('test', 'rules', join(PROMETHEUS, 'tests/cluster.test.yml'));
    expect(tested.status, tested.output).to.equal(0);
    expect(tested.output).to.include('SUCCESS');
  });
});

describe('monitoring/grafana dashboards', function () {
  this.timeout(120_000);
  const services: RunningService[] = [];
  /** Every metric name the services and RabbitMQ export, and `up`, which Prometheus adds. */
  const exported = new Set<string>(['up']);

  before(async () => {
    const test = testConfig();
    const logger = (service: string) => createLogger({ service, level: test.logLevel });
    const authService = await auth.startAuthService(
      auth.loadConfig(serviceEnv('auth', { DATA_DIR: mkdtempSync(join(tmpdir(), 'warren-auth-')) })),
      logger('auth'),
    );
    services.push(authService);
    const authUrl = `http://127.0.0.1:${authService.port}`;
    services.push(
      await chatApi.startChatApiService(
        chatApi.loadConfig(serviceEnv('chat-api', { AUTH_URL: authUrl })),
        logger('chat-api'),
      ),
      await persister.startPersisterService(persister.loadConfig(serviceEnv('persister')), logger('persister')),
      await gateway.startWsGatewayService(
        gateway.loadConfig(serviceEnv('ws-gateway', { AUTH_URL: authUrl })),
        logger('ws-gateway'),
      ),
    );
    const pages = [
      ...services.map((service) => `http://127.0.0.1:${service.port}/metrics`),
      rabbitMetricsUrl('/metrics'),
      rabbitMetricsUrl('/metrics/detailed?family=queue_coarse_metrics'),
    ];
    for (const page of pages) {
      const response = await fetch(page).catch((error: unknown) => {
        throw new Error(
          `${page} did not answer: is rabbitmq_prometheus enabled (\`rabbitmq-plugins enable rabbitmq_prometheus\`)?`,
          {
            cause: error,
          },
        );
      });
      expect(response.status, page).to.equal(200);
      for (const name of metricNamesOf(await response.text())) exported.add(name);
    }
  });
  after(async () => {
    for (const service of services.reverse()) await service.stop();
  });

  it('are valid JSON with a unique uid, each panel querying the provisioned Prometheus', () => {
    const all = dashboards();
    expect(all).to.not.be.empty;
    expect(new Set(all.map(([, d]) => d.uid)).size).to.equal(all.length);
    const datasources = readFileSync(join(ROOT, 'monitoring/grafana/provisioning/datasources/prometheus.yml'), 'utf8');
    for (const [file, dashboard] of all) {
      expect(dashboard.panels, file).to.not.be.empty;
      for (const panel of dashboard.panels) {
        expect(panel.targets, `${file}: ${panel.title}`).to.not.be.empty;
        expect(datasources, `${file}: ${panel.title}`).to.include(`uid: ${panel.datasource?.uid}`);
      }
    }
  });

  it('show the message path: posts, lag, deliveries, sockets, queue depths and dead letters', () => {
    const names = new Set(
      dashboards().flatMap(([, d]) => dashboardExpressions(d).flatMap(({ expr }) => metricNamesIn(expr))),
    );
    for (const name of [
      'warren_chat_api_posts_total',
      'warren_persister_lag_seconds',
      'warren_ws_frames_sent_total',
      'warren_ws_connections',
      'rabbitmq_detailed_queue_messages_ready',
      'warren_persister_dead_lettered_total',
    ]) {
      expect(names, name).to.include(name);
    }
  });

  it('have queries that parse: promtool checks each as a recording rule', () => {
    const expressions = dashboards().flatMap(([, d]) => dashboardExpressions(d));
    const rules = {
      groups: [
        {
          name: 'dashboard-queries',
          rules: expressions.map(({ expr }, i) => ({
            record: `dashboard:query_${i}`,
            expr: expr.replaceAll('$__rate_interval', RATE_INTERVAL),
          })),
        },
      ],
    };
    const file = join(mkdtempSync(join(tmpdir(), 'warren-dashboard-')), 'queries.yml');
    writeFileSync(file, stringify(rules));
    const { status, output } = promtool('check', 'rules', file);
    expect(status, output).to.equal(0);
    expect(output).to.include(`SUCCESS: ${expressions.length} rules found`);
  });

  it('name only metrics that the services and RabbitMQ export', () => {
    for (const [file, dashboard] of dashboards()) {
      for (const { panel, expr } of dashboardExpressions(dashboard)) {
        const names = metricNamesIn(expr);
        expect(names, `${file}: ${panel}: ${expr}`).to.not.be.empty;
        for (const name of names) expect(exported.has(name), `${file}: ${panel}: ${name} is exported`).to.equal(true);
      }
    }
  });

  it('and so do the alert rules', () => {
    const dir = join(PROMETHEUS, 'rules');
    for (const file of readdirSync(dir)) {
      const exprs = [...readFileSync(join(dir, file), 'utf8').matchAll(/^\s*expr: (.+)$/gm)].map((m) => m[1] ?? '');
      for (const expr of exprs) {
        for (const name of metricNamesIn(expr))
          expect(exported.has(name), `${file}: ${name} is exported`).to.equal(true);
      }
    }
  });
});
