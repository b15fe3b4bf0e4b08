import { z } from 'zod';
import { type DeliveryLike, timestampOf } from './delivery.ts';
import { EnvelopeError } from './envelope-error.ts';
import { isTrustedPublisher, type TrustedPublishers } from './trusted-publishers.ts';

/** Date and time with seconds and a `Z` or `±hh:mm` offset: an instant, never a local time. */
const isoInstant = z.iso.datetime({ offset: true });

/** The largest time a `Date` holds, in seconds (ECMA-262: ±8.64e15 ms). */
const MAX_DATE_SECONDS = 8.64e12;

/**
 * When the message in a delivery was written (AMQP.md), as ISO-8601 UTC with milliseconds:
 *
 * 1. the body's `created_at` when a trusted publisher sent it: it knows when its user posted;
 * 2. else the `timestamp` property (seconds since 1970), when present and within `Date`'s range;
 * 3. else `receivedAt`, the time the consumer received the delivery.
 *
 * An untrusted publisher's `created_at` is ignored, so a bot cannot backdate its messages.
 *
 * @param body the decoded body (null for a plain-text body, which has no `created_at`).
 * @throws EnvelopeError `invalid_created_at` when a trusted publisher's `created_at` is not an
 * ISO-8601 date-time with seconds and an offset, or falls before the year 1 in UTC.
 */
export function createdAtOf(
  delivery: DeliveryLike,
  body: { readonly created_at?: string | undefined } | null,
  trustedPublishers: TrustedPublishers,
  receivedAt: Date,
): string {
  const claimed = body?.created_at;
  if (claimed !== undefined && isTrustedPublisher(delivery, trustedPublishers)) {
    if (!isoInstant.safeParse(claimed).success) {
      throw new EnvelopeError('invalid_created_at', 'created_at is not an ISO-8601 date-time with an offset');
    }
    const instant = new Date(claimed);
    // PostgreSQL has no year 0 (nor does ISO-8601's common profile): refused here, so what clients
    // see live is never something history cannot keep.
    if (instant.getUTCFullYear() < 1) {
      throw new EnvelopeError('invalid_created_at', 'created_at is before the year 1');
    }
    return instant.toISOString();
  }
  const timestamp = timestampOf(delivery);
  if (timestamp !== undefined && timestamp <= MAX_DATE_SECONDS) return new Date(timestamp * 1000).toISOString();
  return receivedAt.toISOString();
}
