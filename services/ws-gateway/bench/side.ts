import { fork } from 'node:child_process';
import { once } from 'node:events';

/** Which server a bench/side-process.ts child runs. */
export type SideKind = 'gateway' | 'baseline' | 'bare';

/** A forked bench/side-process.ts, driven over IPC. */
export interface SideProcess {
  readonly port: Promise<number>;
  /** Resolves once `count` sockets in all are consuming (gateway: `ready` sent). */
  readyCount(count: number): Promise<void>;
  /** µs of CPU the process used since the previous call. */
  cpu(): Promise<number>;
  /** RSS and V8 heap used, in bytes, after a full GC. */
  memory(): Promise<{ rss: number; heap: number }>;
  /** Asks it to stop; resolves once it exited (its broker connection, and queues, gone). */
  stop(): Promise<void>;
}

/**
 * Forks bench/side-process.ts (tsx's loader is inherited through execArgv); `gatewayModule` runs
 * another version of the gateway (the path of its src/index.ts), for before/after runs.
 */
export function forkSide(kind: SideKind, config: Record<string, string>, gatewayModule?: string): SideProcess {
  const child = fork(
    new URL('./side-process.ts', import.meta.url),
    [kind, JSON.stringify(config), ...(gatewayModule ? [gatewayModule] : [])],
    { execArgv: [...process.execArgv, '--expose-gc'] },
  );
  let ready = 0;
  let waiter: { count: number; resolve: () => void } | undefined;
  child.on('message', (message: { ready?: number }) => {
    if (message.ready === undefined) return;
    ready = message.ready;
    if (waiter && ready >= waiter.count) waiter.resolve();
  });
  const reply = <T>(key: string) =>
    new Promise<T>((resolve) => {
      const listener = (message: Record<string, T>) => {
        if (key in message) {
          child.off('message', listener);
          resolve(message[key] as T);
        }
      };
      child.on('message', listener);
    });
  const ask = <T>(key: string): Promise<T> => {
    const answer = reply<T>(key);
    child.send({ [key]: true });
    return answer;
  };
  return {
    port: reply<number>('port'),
    readyCount: (count) =>
      new Promise<void>((resolve) => {
        if (ready >= count) resolve();
        else waiter = { count, resolve };
      }),
    cpu: () => ask<number>('cpu'),
    memory: () => ask<{ rss: number; heap: number }>('memory'),
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.send({ stop: true });
      await exited;
    },
  };
}
