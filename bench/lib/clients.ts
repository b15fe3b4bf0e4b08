import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import type { Command, Target } from './client-worker.ts';
import { Histogram, type HistogramData } from './histogram.ts';

export type { Target };

/** The client child process, driven by request/answer over IPC. */
export class Clients {
  readonly #child: ChildProcess;

  constructor() {
    this.#child = fork(join(import.meta.dirname, 'client-worker.ts'), [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  #ask<T>(command: Command): Promise<T> {
    return new Promise((resolve) => {
      this.#child.once('message', (answer) => resolve(answer as T));
      this.#child.send(command);
    });
  }

  async open(targets: Target[], concurrency = 50) {
    const a = await this.#ask<{ connect: HistogramData; failures: number; totalMs: number }>({
      cmd: 'open',
      targets,
      concurrency,
    });
    return { connect: Histogram.from(a.connect), failures: a.failures, totalMs: a.totalMs };
  }

  reset(): Promise<unknown> {
    return this.#ask({ cmd: 'reset' });
  }

  async report() {
    const a = await this.#ask<{ latency: HistogramData; frames: number; counts: [string, number][] }>({
      cmd: 'report',
    });
    return { latency: Histogram.from(a.latency), frames: a.frames, counts: new Map(a.counts) };
  }

  closeAll(): Promise<unknown> {
    return this.#ask({ cmd: 'close' });
  }

  kill(): void {
    this.#child.kill();
  }
}
