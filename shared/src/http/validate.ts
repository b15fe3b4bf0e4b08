import type { z } from 'zod';
import { SharedErrors } from '../errors.ts';

/**
 * Parses a request part with a zod schema.
 * @throws INVALID_REQUEST (400) listing each field problem as `{ field, message }`.
 */
export function validate<T extends z.ZodType>(schema: T, value: unknown, what = 'request body'): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const errors = result.error.issues.map((issue) => ({
    field: issue.path.length > 0 ? issue.path.join('.') : '(body)',
    message: issue.message,
  }));
  throw new SharedErrors.invalidRequest(`the ${what} is invalid`, { errors });
}
