import type { Response } from 'express';
import type { Caller } from '../sessions/caller.ts';

/**
 * The caller the API routes' authentication admitted.
 * @throws Error when the route is not behind it: a programming error, not a refusal.
 */
export function callerOf(res: Response): Caller {
  const caller: unknown = res.locals.caller;
  if (caller === undefined) throw new Error('callerOf: no authentication before this route');
  return caller as Caller;
}
