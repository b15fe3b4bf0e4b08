import { type ChildProcess, spawn } from 'node:child_process';
import { EventEmitter, once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Recorder, type WaitOptions } from './recorder.ts';
import type { TestedService } from './service-env.ts';

/** The repository's root: services are started from there, as `npm start` does. */
const ROOT = join(import.meta.dirname, '..', '..', '..');
/** How many raw output lines a failure message can show. */
const KEPT_LINES = 2000;

/** One pino line of a service's stdout, parsed. */
export interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [field: string]: unknown;
}

/** Options of {@link ServiceProcess.start}. */
export interface ServiceProcessOptions {
  /** Flags for node before `--import tsx` (`--cpu-prof`, …). @defaultValue [] */
  nodeFlags?: readonly string[];
  /**
   * Give up when it has not logged `<name> listening` by then: a bound for a hang, generous because
   * a busy 2-core machine can take tens of seconds to start four services (one that fails exits,
   * which rejects at once). @defaultValue 90000
   */
  listenTimeoutMs?: number;
}

/**
 * A Warren service as its own process, exactly as deployed (`node --import tsx
 * services/<name>/src/main.ts` with `env` over this process's environment, LOG_LEVEL `info` unless
 * `env` says otherwise). Its stdout is pino JSON: every line is parsed into {@link logs} (and emitted
 * as `log`), so a test awaits what the service reports instead of polling it. The process is
 * SIGKILLed when this one exits, so no test leaves one behind.
 */
export class ServiceProcess extends EventEmitter<{ log: [LogLine] }> {
  readonly process: ChildProcess;
  /** Its raw stdout and stderr lines (the first {@link KEPT_LINES}), for failure messages. */
  readonly lines: string[] = [];
  /** Every JSON line of its stdout, parsed. */
  readonly logs: Recorder<LogLine>;
  /** Its port, once it logged `<name> listening`; rejects when it exits or times out first. */
  readonly listening: Promise<number>;
  /** Resolves when the process has exited. */
  readonly exited: Promise<unknown>;
  #port: number | undefined;

  private constructor(
    readonly name: TestedService,
    env: Readonly<Record<string, string>>,
    options: ServiceProcessOptions,
  ) {
    super();
    this.logs = new Recorder({ name: `${name}'s log` });
    this.process = spawn(
      process.execPath,
      [...(options.nodeFlags ?? []), '--import', 'tsx', join('services', name, 'src', 'main.ts')],
      { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.exited = once(this.process, 'exit');
    // Never left behind, even when a test times out before its clean-up.
    const orphanGuard = () => this.process.kill('SIGKILL');
    process.once('exit', orphanGuard);
    void this.exited.then(() => process.off('exit', orphanGuard));
    createInterface({ input: this.process.stdout as NodeJS.ReadableStream }).on('line', (line) => this.#onLine(line));
    createInterface({ input: this.process.stderr as NodeJS.ReadableStream }).on('line', (line) => this.#keep(line));
    this.listening = this.#listen(options.listenTimeoutMs ?? 90_000);
    this.listening.catch(() => undefined);
  }

  /** Starts a service; resolves once it listens. */
  static async start(
    name: TestedService,
    env: Readonly<Record<string, string>>,
    options: ServiceProcessOptions = {},
  ): Promise<ServiceProcess> {
    const service = new ServiceProcess(name, env, options);
    await service.listening;
    return service;
  }

  /** Spawns a service without waiting: await {@link ServiceProcess.listening}. */
  static spawn(
    name: TestedService,
    env: Readonly<Record<string, string>>,
    options: ServiceProcessOptions = {},
  ): ServiceProcess {
    return new ServiceProcess(name, env, options);
  }

  /** The port it listens on. @throws before it has logged that it listens. */
  get port(): number {
    if (this.#port === undefined) throw new Error(`${this.name} is not listening yet`);
    return this.#port;
  }

  /** `http://127.0.0.1:<port>`. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /**
   * The next log line that matches, from now on (unlike {@link logs}' waits, which also look at what
   * came already): call it before causing what it awaits. Rejects when `signal` aborts.
   */
  nextLog(match: (line: LogLine) => boolean, options: { signal?: AbortSignal } = {}): Promise<LogLine> {
    return new Promise((resolve, reject) => {
      const onLog = (line: LogLine) => {
        if (!match(line)) return;
        this.off('log', onLog);
        options.signal?.removeEventListener('abort', onAbort);
        resolve(line);
      };
      const onAbort = () => {
        this.off('log', onLog);
        reject(options.signal?.reason);
      };
      if (options.signal?.aborted) return onAbort();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.on('log', onLog);
    });
  }

  /** The first log line with this message, now or once it comes. */
  logged(msg: string, options: WaitOptions = {}): Promise<LogLine> {
    return this.logs.waitFor((line) => line.msg === msg, { what: `"${msg}"`, ...options });
  }

  /** SIGTERM (a graceful shutdown, as on `docker stop`), and resolves once it is gone. */
  stop(): Promise<void> {
    return this.#signal('SIGTERM');
  }

  /** SIGKILL, and resolves once it is gone. */
  kill(): Promise<void> {
    return this.#signal('SIGKILL');
  }

  async #signal(signal: NodeJS.Signals): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    this.process.kill(signal);
    await this.exited;
  }

  #keep(line: string): void {
    if (this.lines.length < KEPT_LINES) this.lines.push(line);
  }

  #onLine(line: string): void {
    this.#keep(line);
    let parsed: LogLine;
    try {
      parsed = JSON.parse(line);
    } catch {
      // Not a log line (a library writing to stdout): kept raw only.
      return;
    }
    this.logs.push(parsed);
    this.emit('log', parsed);
  }

  #listen(timeoutMs: number): Promise<number> {
    const output = () => this.lines.join('\n');
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`${this.name} did not listen within ${timeoutMs} ms:\n${output()}`));
        this.process.kill('SIGKILL');
      }, timeoutMs);
      timer.unref();
      void this.exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`${this.name} exited before listening:\n${output()}`));
      });
      void this.nextLog((line) => line.msg === `${this.name} listening`).then((line) => {
        clearTimeout(timer);
        this.#port = Number(line.port);
        resolve(this.#port);
      });
    });
  }
}
