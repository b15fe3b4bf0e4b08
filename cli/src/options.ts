import { canonicalUuid, EnvelopeError, replyToOf } from '@warren/shared/envelope';
import { InvalidArgumentError } from 'commander';

/** Parses an option that must be a UUID (a session or message id), lower-cased as Warren stores them. */
export function uuidOption(value: string): string {
  const uuid = canonicalUuid(value);
  if (uuid === null) throw new InvalidArgumentError('must be a UUID.');
  return uuid;
}

/**
 * Parses `--reply-to`: the id of the message replied to, by the envelope's `reply_to` rule (a UUID,
 * lower-cased), so the CLI refuses what the persister would dead-letter as `invalid_reply_to`.
 */
export function replyToOption(value: string): string {
  try {
    const id = replyToOf(value);
    if (id !== null) return id;
  } catch (error) {
    if (!(error instanceof EnvelopeError)) throw error;
  }
  throw new InvalidArgumentError('must be a message id (a UUID).');
}

/** Parses an option that must be a positive whole number. */
export function positiveIntOption(value: string): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < 1) throw new InvalidArgumentError('must be a whole number above 0.');
  return number;
}

/** The help text of `--url`, the same on every command that connects to the broker. */
export const URL_HELP = 'broker URL with vhost and credentials (default: RABBITMQ_URL)';
