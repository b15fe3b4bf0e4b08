import { defineError } from '@warren/shared/errors';

/**
 * The ws-gateway's errors, with stable codes (clients may rely on `code`). They answer refused
 * upgrades as problem documents; shared ones (`NOT_FOUND`, `SIGNING_KEYS_UNAVAILABLE`, …) come from
 * `SharedErrors`. Error frames of an open connection have their own codes (`FrameErrorCode`).
 */
export const WsGatewayErrors = {
  /** A browser whose Origin is not in ALLOWED_ORIGINS. */
  originNotAllowed: defineError('ORIGIN_NOT_ALLOWED', 403, 'Origin not allowed'),
  /** An upgrade that arrives while the gateway stops: connect again, to another instance. */
  shuttingDown: defineError('SHUTTING_DOWN', 503, 'Shutting down'),
} as const;
