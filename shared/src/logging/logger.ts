import { type Logger, pino } from 'pino';

export type { Logger } from 'pino';

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Service name, on every line as `service`. */
  service: string;
  /** pino level. @defaultValue 'info' */
  level?: string;
  /** Where lines go. @defaultValue stdout */
  destination?: pino.DestinationStream;
}

/**
 * The root logger of a service: pino JSON on stdout. Modules take `logger.child({ module })`.
 * Secrets that reach a log line by accident (authorization headers, passwords, tokens) are redacted.
 */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: options.service },
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          '*.password',
          '*.refresh_token',
          '*.access_token',
          '*.token',
        ],
        censor: '[redacted]',
      },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination,
  );
}
