import { createLogger, type Logger } from '@warren/shared/logging';
import type { Command } from 'commander';

/**
 * The logger handed to the shared clients: on stderr, so stdout carries only a command's output,
 * and silent unless `--verbose`, because the CLI reports failures itself in a sentence.
 */
export function cliLogger(command: Command): Logger {
  const verbose = command.optsWithGlobals<{ verbose?: boolean }>().verbose === true;
  return createLogger({ service: 'warren-cli', level: verbose ? 'debug' : 'silent', destination: process.stderr });
}
