import { ConfigError, createLogger, installShutdown } from '@warren/shared';
import { loadConfig } from './config.ts';
import { startPersisterService } from './persister-service.ts';

try {
  const config = loadConfig(process.env);
  const logger = createLogger({ service: 'persister', level: config.LOG_LEVEL });
  try {
    const service = await startPersisterService(config, logger);
    installShutdown({
      logger,
      timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
      steps: [{ name: 'persister', run: () => service.stop() }],
    });
  } catch (error) {
    logger.fatal({ err: error }, (error as Error).message);
    process.exit(1);
  }
} catch (error) {
  console.error(error instanceof ConfigError ? `persister: ${error.message}` : error);
  process.exit(1);
}
