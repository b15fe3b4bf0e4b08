import { limits } from '@warren/shared/limits';
import { z } from 'zod';

const { passwordBytes, username } = limits;

/** A username as README.md limits it. */
export const usernameSchema = z
  .string()
  .regex(username.pattern, `must be ${username.min} to ${username.max} characters of A-Z a-z 0-9 _ . -`);

/** A password of 8 to 72 bytes in UTF-8: longer is refused, never cut (bcrypt reads 72 bytes). */
export const passwordSchema = z
  .string()
  .refine(
    (value) => {
      const bytes = Buffer.byteLength(value, 'utf8');
      return bytes >= passwordBytes.min && bytes <= passwordBytes.max;
    },
    { message: `must be ${passwordBytes.min} to ${passwordBytes.max} bytes in UTF-8` },
  )
  .describe(`${passwordBytes.min} to ${passwordBytes.max} bytes in UTF-8 (never cut).`);

/** `POST /auth/register`. */
export const registerBody = z.object({
  username: usernameSchema,
  password: passwordSchema,
  email: z.email().max(254).optional(),
});

/** `POST /auth/login`. Not held to the registration rules: a wrong guess is a 401, not a 400. */
export const loginBody = z.object({
  // PostgreSQL refuses U+0000 in a query parameter (a 500 before this check).
  username: z
    .string()
    .min(1)
    .max(256)
    .refine((name) => !name.includes('\u0000'), 'must not contain U+0000'),
  password: z.string().min(1).max(1024),
});

/** `POST /auth/refresh` and `POST /auth/logout`. */
export const refreshBody = z.object({ refresh_token: z.string().min(1).max(512) });

/** `GET /auth/ended-logins`: `since`, an ISO-8601 instant with its offset (`Z` or `±hh:mm`). */
export const endedLoginsQuery = z.object({
  since: z.iso
    .datetime({ offset: true })
    .transform((value) => new Date(value))
    .optional(),
});
