import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { serviceEnv } from '@warren/shared/testing';

const ROOT = join(import.meta.dirname, '..', '..', '..', '..');
const MAIN = join('services', 'persister', 'src', 'main.ts');

/** A persister running as its own process, exactly as deployed (`node --import tsx …/main.ts`). */
export class ChildPersister {
  readonly process: ChildProcess;
  /** Its log lines so far (pino JSON), for failure messages. */
  readonly lines: string[] = [];
  /** Resolves with the exit code (null when killed by a signal) and the signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the HTTP port once it logs that it listens. */
  readonly listening: Promise<number>;

  constructor(env: Record<string, string> = {}) {
    this.process = spawn(process.execPath, ['--import', 'tsx', MAIN], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'info', ...serviceEnv('persister', env) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.exited = once(this.process, 'exit').then(([code, signal]) => ({
      code: code as number | null,
      signal: signal as NodeJS.Signals | null,
    }));
    this.listening = new Promise((resolve, reject) => {
      const lines = createInterface({ input: this.process.stdout as NodeJS.ReadableStream });
      lines.on('line', (line) => {
        this.lines.push(line);
        const entry = parse(line);
        if (entry?.msg === 'persister listening' && typeof entry.port === 'number') resolve(entry.port);
      });
      createInterface({ input: this.process.stderr as NodeJS.ReadableStream }).on('line', (line) =>
        this.lines.push(line),
      );
      void this.exited.then(({ code, signal }) =>
        reject(new Error(`the persister exited (${code ?? signal}) before listening:\n${this.lines.join('\n')}`)),
      );
    });
    // Awaited only by tests that need the port; one that does not must not see an unhandled rejection.
    this.listening.catch(() => undefined);
  }

  /** Sends a signal; resolves with how it exited. */
  async kill(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    this.process.kill(signal);
    return this.exited;
  }

  /** Kills it if it still runs (test clean-up). */
  async ensureGone(): Promise<void> {
    if (this.process.exitCode === null && this.process.signalCode === null) await this.kill('SIGKILL');
  }
}

function parse(line: string): { msg?: unknown; port?: unknown } | undefined {
  try {
    return JSON.parse(line) as { msg?: unknown; port?: unknown };
  } catch {
    return undefined;
  }
}
