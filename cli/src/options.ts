import { canonicalUuid } from '@warren/shared/envelope';
import { InvalidArgumentError } from 'commander';

/** Parses an option that must be a UUID (a session or message id), lower-cased as Warren stores them. */
export function uuidOption(value: string): string {
  const uuid = canonicalUuid(value);
  if (uuid === null) throw new InvalidArgumentError('must be a UUID.');
  return uuid;
}

/** Parses an option that must be a positive whole number. */
export function positiveIntOption(value: string): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < 1) throw new InvalidArgumentError('must be a whole number above 0.');
  return number;
}

/** The help text of `--url`, the same on every command that connects to the broker. */
export const URL_HELP = 'broker URL with vhost and credentials (default: RABBITMQ_URL)';
