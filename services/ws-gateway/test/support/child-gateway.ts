import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { serviceEnv } from '@warren/shared/testing';
import { metricValue } from './metrics.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..', '..');

/** The gateway's main.ts running in a process of its own, as in a deployment. */
export interface ChildGateway {
  readonly process: ChildProcess;
  readonly port: number;
  readonly wsUrl: string;
  /** The value of a metric sample in `/metrics` (0 when absent). */
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  /** Resolves with the exit code. */
  readonly exited: Promise<number | null>;
}

/**
 * Starts `services/ws-gateway/src/main.ts` (under tsx) against `authUrl` as the run's ws-gateway
 * user and resolves once it logs that it listens; `env` overrides any variable.
 */
export async function spawnGateway(authUrl: string, env: Record<string, string> = {}): Promise<ChildGateway> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'services/ws-gateway/src/main.ts'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...serviceEnv('ws-gateway', { AUTH_URL: authUrl, LOG_LEVEL: 'info', ...env }) },
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const output: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const port = await new Promise<number>((resolve, reject) => {
    lines.on('line', (line) => {
      if (output.length < 200) output.push(line);
      try {
        const entry = JSON.parse(line) as { msg?: string; port?: number };
        if (entry.msg === 'ws-gateway listening' && typeof entry.port === 'number') resolve(entry.port);
      } catch {
        // Not a log line.
      }
    });
    void exited.then((code) =>
      reject(new Error(`the gateway exited (${code}) before listening:\n${output.join('\n')}`)),
    );
  });
  const httpUrl = `http://127.0.0.1:${port}`;
  return {
    process: child,
    port,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    exited,
    metric: (name, labels) => metricValue(httpUrl, name, labels),
  };
}
