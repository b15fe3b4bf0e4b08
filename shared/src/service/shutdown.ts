import type { Logger } from 'pino';

/** One step of a graceful shutdown, run in order. */
export interface ShutdownStep {
  name: string;
  run: () => Promise<void>;
}

/** Options of {@link installShutdown}. */
export interface ShutdownOptions {
  logger: Logger;
  /** Steps in order: stop taking work, finish what is held, close connections. */
  steps: readonly ShutdownStep[];
  /** After this long the process exits anyway (OPERATIONS.md: within 10 s). @defaultValue 10000 */
  timeoutMs?: number;
  /** Signals that start the shutdown. @defaultValue ['SIGTERM', 'SIGINT'] */
  signals?: readonly NodeJS.Signals[];
}

/**
 * Runs the steps on SIGTERM or SIGINT, then exits 0 (1 if a step failed); past the timeout it exits
 * anyway, so a service never hangs on its way out. Further signals change nothing: under `npm start`
 * a Ctrl-C reaches a service both from the terminal and from the launcher.
 * @returns the shutdown function, for a service that decides to stop by itself.
 */
export function installShutdown(options: ShutdownOptions): (reason: string) => Promise<void> {
  const log = options.logger.child({ module: 'shutdown' });
  let started = false;
  const shutdown = async (reason: string) => {
    if (started) {
      log.info({ reason }, 'already shutting down');
      return;
    }
    started = true;
    log.info({ reason }, 'shutting down');
    const timer = setTimeout(() => {
      log.error('shutdown took too long: exiting');
      process.exit(1);
    }, options.timeoutMs ?? 10_000);
    timer.unref();
    let failed = false;
    for (const step of options.steps) {
      try {
        await step.run();
      } catch (error) {
        failed = true;
        log.error({ err: error, step: step.name }, 'shutdown step failed');
      }
    }
    log.info('stopped');
    process.exit(failed ? 1 : 0);
  };
  for (const signal of options.signals ?? ['SIGTERM', 'SIGINT']) {
    process.on(signal, () => void shutdown(signal));
  }
  return shutdown;
}
