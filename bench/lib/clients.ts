import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import type { Command, Target } from './client-worker.ts';
import { Histogram, type HistogramData } from './histogram.ts';

export type { Target };

/**
 * The client child process, driven by request/answer over IPC; between answers it announces each
 * message every subscriber received (see {@link Clients.reset}).
 */
export class Clients {
  readonly #child: ChildProcess;
  /** Resolvers of the commands sent, answered in order. */
  readonly #answers: ((answer: unknown) => void)[] = [];
  /** Who waits for a message's completion, by key. */
  readonly #completions = new Map<string, () => void>();

  constructor() {
    this.#child = fork(join(import.meta.dirname, 'client-worker.ts'), [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.#child.on('message', (message: { ev: string; key?: string }) => {
      if (message.ev === 'complete') {
        const key = message.key ?? '';
        this.#completions.get(key)?.();
        this.#completions.delete(key);
      } else this.#answers.shift()?.(message);
    });
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  #ask<T>(command: Command): Promise<T> {
    return new Promise((resolve) => {
      this.#answers.push((answer) => resolve(answer as T));
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

  /**
   * Clears the counts; with `subscribers`, each message is announced complete once that many frames
   * of it arrived ({@link Clients.completed}).
   */
  reset(subscribers?: number): Promise<unknown> {
    this.#completions.clear();
    return this.#ask({ cmd: 'reset', subscribers });
  }

  /**
   * Resolves true once every subscriber received the message with this key (see
   * {@link Clients.reset}), false after `timeoutMs`. Call it before the message can arrive.
   */
  completed(key: string, timeoutMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#completions.delete(key);
        resolve(false);
      }, timeoutMs);
      this.#completions.set(key, () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  async report() {
    const a = await this.#ask<{
      latency: HistogramData;
      frames: number;
      lastFrameAt: number;
      counts: [string, number][];
    }>({ cmd: 'report' });
    return {
      latency: Histogram.from(a.latency),
      frames: a.frames,
      lastFrameAt: a.lastFrameAt,
      counts: new Map(a.counts),
    };
  }

  closeAll(): Promise<unknown> {
    return this.#ask({ cmd: 'close' });
  }

  kill(): void {
    this.#child.kill();
  }
}
