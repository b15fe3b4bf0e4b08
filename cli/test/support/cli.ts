import { type ChildProcess, spawn } from 'node:child_process';
import { EventEmitter, once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { testConfig } from '@warren/shared/testing';

/** The launcher that `npx warren` runs. */
export const WARREN_BIN = fileURLToPath(new URL('../../bin/warren.mjs', import.meta.url));

/** How a finished `warren` process ended. */
export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The environment of a `warren` process in the test run: only PATH and HOME from this process (so
 * nothing of a developer's own configuration leaks in), the run's broker as its administrator, its
 * management API and database, and its chat-api user trusted; `env` overrides any of it.
 */
export function cliEnv(env: Record<string, string> = {}): Record<string, string> {
  const test = testConfig();
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    RABBITMQ_URL: test.rabbitmqUrl,
    RABBITMQ_MANAGEMENT_URL: test.managementUrl,
    DATABASE_URL: test.databaseUrl,
    TRUSTED_PUBLISHERS: test.users['chat-api'].name,
    ...env,
  };
}

/** A `warren` process: its output so far, lines awaited as they come, and how it ended. */
export class RunningCli extends EventEmitter<{ output: [] }> {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<CliResult>;
  /** Set, before the last `output` event, once the process has ended. */
  #result: CliResult | undefined;

  private constructor(child: ChildProcess) {
    super();
    this.child = child;
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stdout += chunk;
      this.emit('output');
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
      this.emit('output');
    });
    this.exited = new Promise((resolve) => {
      child.once('close', (code: number | null) => {
        this.#result = { code, stdout: this.stdout, stderr: this.stderr };
        resolve(this.#result);
        this.emit('output');
      });
    });
  }

  /** Starts `warren <args>` with {@link cliEnv}. */
  static start(args: readonly string[], env: Record<string, string> = {}): RunningCli {
    return new RunningCli(spawn(process.execPath, [WARREN_BIN, ...args], { env: cliEnv(env), stdio: 'pipe' }));
  }

  /**
   * Resolves once a line of the stream matches; rejects if the process ends first, with what it printed.
   * @returns the matching line.
   */
  async line(stream: 'stdout' | 'stderr', match: RegExp): Promise<string> {
    for (;;) {
      const found = this[stream].split('\n').find((line) => match.test(line));
      if (found !== undefined) return found;
      if (this.#result)
        throw new Error(`warren ended without printing ${match} on ${stream}:\n${this.stdout}\n${this.stderr}`);
      await once(this, 'output');
    }
  }

  /** Every complete line of stdout parsed as JSON. */
  jsonLines(): unknown[] {
    return this.stdout
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as unknown);
  }

  /** Sends a signal and resolves with how the process ended. */
  async stop(signal: NodeJS.Signals = 'SIGINT'): Promise<CliResult> {
    this.child.kill(signal);
    return this.exited;
  }
}

/** Runs `warren <args>` to the end. */
export function runCli(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  return RunningCli.start(args, env).exited;
}
