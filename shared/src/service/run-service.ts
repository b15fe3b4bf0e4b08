import { ConfigError } from '../config/parse-env.ts';
import { PortInUseError } from '../http/http-server.ts';
import { createLogger, type Logger } from '../logging/logger.ts';
import { installShutdown } from './shutdown.ts';

/** What every service's configuration has that running it needs. */
export interface RunnableConfig {
  readonly LOG_LEVEL: string;
  readonly SHUTDOWN_TIMEOUT_MS: number;
}

/** A service as its `main.ts` hands it to {@link runService}. */
export interface ServiceEntry<C extends RunnableConfig> {
  /** The service's name: its logs' `service` and the prefix of its start-up errors. */
  name: string;
  /** Parses its configuration; throws ConfigError naming bad variables. */
  loadConfig: (env: Readonly<Record<string, string | undefined>>) => C;
  /** Starts it; rejects, naming what it could not reach, when it cannot start. */
  start: (config: C, logger: Logger) => Promise<{ stop(): Promise<void> }>;
}

/**
 * Runs a service as a process: configuration parsed once from `env`, a root logger, the service
 * started, and a graceful shutdown on SIGTERM and SIGINT. A bad configuration, a taken port or a
 * failed start exits 1 with a message naming the cause, so a misconfigured service stops at once.
 */
export async function runService<C extends RunnableConfig>(
  entry: ServiceEntry<C>,
  env: Readonly<Record<string, string | undefined>>,
): Promise<void> {
  let config: C;
  try {
    config = entry.loadConfig(env);
  } catch (error) {
    console.error(error instanceof ConfigError ? `${entry.name}: ${error.message}` : error);
    process.exit(1);
  }
  const logger = createLogger({ service: entry.name, level: config.LOG_LEVEL });
  try {
    const service = await entry.start(config, logger);
    installShutdown({
      logger,
      timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
      steps: [{ name: entry.name, run: () => service.stop() }],
    });
  } catch (error) {
    if (error instanceof PortInUseError) {
      // A taken port is the operator's to fix, like a bad variable: one line naming what moves it.
      console.error(`${entry.name}: ${error.message}; set PORT to another port`);
    } else {
      logger.fatal({ err: error }, (error as Error).message);
    }
    process.exit(1);
  }
}
