import { fork } from 'node:child_process';

/** The sockets of bench/clients.ts, in a child process. */
export interface ClientProcess {
  /** Opens one socket per URL; resolves once all are open. */
  open(urls: readonly string[]): Promise<void>;
  /** Resolves with the frames received once every socket has received `perSocket` frames. */
  receive(perSocket: number): Promise<number>;
  close(): void;
}

/** Forks bench/clients.ts (tsx's loader is inherited through execArgv). */
export function forkClients(): ClientProcess {
  const child = fork(new URL('./clients.ts', import.meta.url));
  const reply = (key: string) =>
    new Promise<number>((resolve) => {
      const listener = (message: Record<string, number>) => {
        if (key in message) {
          child.off('message', listener);
          resolve(message[key] as number);
        }
      };
      child.on('message', listener);
    });
  return {
    async open(urls) {
      const opened = reply('opened');
      child.send({ open: urls });
      await opened;
    },
    receive(perSocket) {
      const done = reply('done');
      child.send({ expect: perSocket });
      return done;
    },
    close() {
      child.send({ close: true });
    },
  };
}
