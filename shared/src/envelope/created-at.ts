import { z } from 'zod';
import { limits } from '../limits.ts';
import type { DeliveryLike } from './delivery.ts';
import { EnvelopeError } from './envelope-error.ts';
import { isTrustedPublisher, type TrustedPublishers } from './trusted-publishers.ts';

/** Date and time with seconds and a `Z` or `±hh:mm` offset: an instant, never a local time. */
const isoInstant = z.iso.datetime({ offset: true });

/** The first second of `limits.timestampYears.min`, in seconds since 1970. */
const MIN_TIMESTAMP = Date.UTC(limits.timestampYears.min, 0, 1) / 1000;
/** The last second of `limits.timestampYears.max`, in seconds since 1970. */
const MAX_TIMESTAMP = Date.UTC(limits.timestampYears.max + 1, 0, 1) / 1000 - 1;

/**
 * The `timestamp` property in seconds since 1970, or undefined when absent (`undefined` or `null`).
 *
 * @throws EnvelopeError `invalid_timestamp` when it is present and not a whole number of seconds in
 * the years 2000 to 9999 (`limits.timestampYears`, AMQP.md): a producer cannot pin its message
 * above all newer activity, nor send a time that clients show and PostgreSQL refuses.
 */
export function checkedTimestampOf(delivery: DeliveryLike): number | undefined {
  const value = delivery.properties.timestamp;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < MIN_TIMESTAMP || value > MAX_TIMESTAMP) {
    throw new EnvelopeError(
      'invalid_timestamp',
      `the timestamp property is not a time in the years ${limits.timestampYears.min} to ${limits.timestampYears.max}`,
    );
  }
  return value;
}

/**
 * When the message in a delivery was written (AMQP.md), as ISO-8601 UTC with milliseconds:
 *
 * 1. the body's `created_at` when a trusted publisher sent it: it knows when its user posted;
 * 2. else the `timestamp` property (seconds since 1970), when present;
 * 3. else `receivedAt`, the time the consumer received the delivery.
 *
 * An untrusted publisher's `created_at` is ignored, so a bot cannot backdate its messages. The
 * `timestamp` property is checked whichever time wins (see {@link checkedTimestampOf}). A trusted
 * `created_at` must fall in the same years 2000 to 9999 (`limits.timestampYears`): one range for
 * every time a message carries, so the encoder's `timestamp` (the seconds of `created_at`) is always
 * valid, and every time is one PostgreSQL keeps and ISO-8601 writes in four digits. A time in the
 * future is allowed but does not order sessions: the persister bumps a session to at most the time
 * it stored the message.
 *
 * @param body the decoded body (null for a plain-text body, which has no `created_at`).
 * @throws EnvelopeError `invalid_timestamp` (see {@link checkedTimestampOf}); `invalid_created_at`
 * when a trusted publisher's `created_at` is not an ISO-8601 date-time with seconds and an offset,
 * or falls outside the years 2000 to 9999 in UTC.
 */
export function createdAtOf(
  delivery: DeliveryLike,
  body: { readonly created_at?: string | undefined } | null,
  trustedPublishers: TrustedPublishers,
  receivedAt: Date,
): string {
  const claimed = body?.created_at;
  const trusted =
    claimed !== undefined && isTrustedPublisher(delivery, trustedPublishers) ? trustedCreatedAt(claimed) : undefined;
  const timestamp = checkedTimestampOf(delivery);
  if (trusted !== undefined) return trusted;
  if (timestamp !== undefined) return new Date(timestamp * 1000).toISOString();
  return receivedAt.toISOString();
}

/** A trusted publisher's `created_at` as `toISOString` writes it; see {@link createdAtOf}. */
function trustedCreatedAt(claimed: string): string {
  if (!isoInstant.safeParse(claimed).success) {
    throw new EnvelopeError('invalid_created_at', 'created_at is not an ISO-8601 date-time with an offset');
  }
  const instant = new Date(claimed);
  const year = instant.getUTCFullYear();
  // Refused here, so what clients see live is never something history cannot keep.
  if (!(year >= limits.timestampYears.min && year <= limits.timestampYears.max)) {
    throw new EnvelopeError(
      'invalid_created_at',
      `created_at is not in the years ${limits.timestampYears.min} to ${limits.timestampYears.max}`,
    );
  }
  return instant.toISOString();
}
