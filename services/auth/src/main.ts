import { ConfigError, createLogger, installShutdown } from '@warren/shared';
import { startAuthService } from './auth-service.ts';
import { loadConfig } from './config.ts';

try {
  const config = loadConfig(process.env);
  const logger = createLogger({ service: 'auth', level: config.LOG_LEVEL });
  try {
    const service = await startAuthService(config, logger);
    installShutdown({
      logger,
      timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
      steps: [{ name: 'auth', run: () => service.stop() }],
    });
  } catch (error) {
    logger.fatal({ err: error }, (error as Error).message);
    process.exit(1);
  }
} catch (error) {
  console.error(error instanceof ConfigError ? `auth: ${error.message}` : error);
  process.exit(1);
}
