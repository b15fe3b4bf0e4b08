import { defineError } from '@warren/shared/errors';

/** The auth service's errors, with stable codes (clients may rely on `code`). */
export const AuthErrors = {
  usernameTaken: defineError('USERNAME_TAKEN', 409, 'Username taken'),
  invalidCredentials: defineError('INVALID_CREDENTIALS', 401, 'Wrong username or password'),
  invalidRefreshToken: defineError('INVALID_REFRESH_TOKEN', 401, 'Refresh token invalid'),
  tooManyLoginAttempts: defineError('TOO_MANY_LOGIN_ATTEMPTS', 429, 'Too many login attempts'),
  tooManyRegistrations: defineError('TOO_MANY_REGISTRATIONS', 429, 'Too many registrations'),
  signingKeyInvalid: defineError('SIGNING_KEY_INVALID', 500, 'Signing key unusable'),
} as const;
