import { ConfigError, createLogger, installShutdown } from '@warren/shared';
import { loadConfig } from './config.ts';
import { startWsGatewayService } from './ws-gateway-service.ts';

try {
  const config = loadConfig(process.env);
  const logger = createLogger({ service: 'ws-gateway', level: config.LOG_LEVEL });
  try {
    const service = await startWsGatewayService(config, logger);
    installShutdown({
      logger,
      timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
      steps: [{ name: 'ws-gateway', run: () => service.stop() }],
    });
  } catch (error) {
    logger.fatal({ err: error }, (error as Error).message);
    process.exit(1);
  }
} catch (error) {
  console.error(error instanceof ConfigError ? `ws-gateway: ${error.message}` : error);
  process.exit(1);
}
