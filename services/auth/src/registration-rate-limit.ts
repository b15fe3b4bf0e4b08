import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { AuthErrors } from './errors.ts';
import { registerBody } from './schemas.ts';
import { tooManyRequests } from './too-many-requests.ts';

/** Options of {@link registrationRateLimit}. */
export interface RegistrationRateLimitOptions {
  /** Registrations allowed per client address within the window. */
  maxPerAddress: number;
  /** The window in seconds. */
  windowSec: number;
}

/**
 * HTTP.md's limit on registrations per client address: each costs a bcrypt hash (about 0.26 s of
 * CPU at cost 12), so unthrottled sign-ups saturate the machine and make accounts without end.
 * Every registration the schema accepts counts, whether or not the name is taken; one it refuses
 * (400, before any hashing) does not, so a user correcting a form is not locked out. Counts are kept
 * in memory, per instance.
 */
export function registrationRateLimit(options: RegistrationRateLimitOptions): RequestHandler {
  return rateLimit({
    windowMs: options.windowSec * 1000,
    limit: options.maxPerAddress,
    // Counted when it starts, not by its answer: a client that hangs up mid-hash still counts.
    skip: (req) => !registerBody.safeParse(req.body).success,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler: tooManyRequests(AuthErrors.tooManyRegistrations, 'registrations', options.windowSec),
  });
}
