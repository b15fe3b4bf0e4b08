// Scrape targets for a Prometheus watching a bench run (`--prometheus=<folder>`): one file_sd file
// per job of monitoring/prometheus/bench.yml, rewritten as the bench starts and stops processes, so
// the dashboard of the compose deployment can be drawn over a running `npm run bench`
// (docs/operations.md, "The dashboard's picture").
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServiceProcess, TestedService } from '@warren/shared/testing';

/** The jobs of monitoring/prometheus/bench.yml whose targets come from a file of their own. */
const SERVICE_JOBS: readonly TestedService[] = ['auth', 'chat-api', 'persister', 'ws-gateway'];

/** The scrape targets of a bench run, as Prometheus file_sd files in one folder. */
export class PrometheusTargets {
  readonly #folder: string;
  readonly #live = new Set<ServiceProcess>();

  /**
   * @param folder where the files go (`<job>.json`), made if missing.
   * @param rabbitPrometheusPort the bench node's rabbitmq_prometheus port (`rabbitmq.json`).
   */
  constructor(folder: string, rabbitPrometheusPort: number) {
    this.#folder = folder;
    mkdirSync(folder, { recursive: true });
    this.#write('rabbitmq', [`127.0.0.1:${rabbitPrometheusPort}`]);
    for (const job of SERVICE_JOBS) this.#write(job, []);
  }

  /** Lists a started service under its job until its process exits. */
  watch(service: ServiceProcess): void {
    this.#live.add(service);
    this.#writeJob(service.name);
    void service.exited.then(() => {
      this.#live.delete(service);
      this.#writeJob(service.name);
    });
  }

  #writeJob(job: TestedService): void {
    this.#write(
      job,
      [...this.#live].filter((service) => service.name === job).map((service) => `127.0.0.1:${service.port}`),
    );
  }

  /** Replaces a file whole (a rename), so Prometheus never reads half of one. */
  #write(job: string, targets: readonly string[]): void {
    const file = join(this.#folder, `${job}.json`);
    writeFileSync(`${file}.tmp`, `${JSON.stringify([{ targets, labels: {} }])}\n`);
    renameSync(`${file}.tmp`, file);
  }
}
