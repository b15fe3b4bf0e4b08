import { ConfigError, createLogger, installShutdown } from '@warren/shared';
import { startChatApiService } from './chat-api-service.ts';
import { loadConfig } from './config.ts';

try {
  const config = loadConfig(process.env);
  const logger = createLogger({ service: 'chat-api', level: config.LOG_LEVEL });
  try {
    const service = await startChatApiService(config, logger);
    installShutdown({
      logger,
      timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
      steps: [{ name: 'chat-api', run: () => service.stop() }],
    });
  } catch (error) {
    logger.fatal({ err: error }, (error as Error).message);
    process.exit(1);
  }
} catch (error) {
  console.error(error instanceof ConfigError ? `chat-api: ${error.message}` : error);
  process.exit(1);
}
