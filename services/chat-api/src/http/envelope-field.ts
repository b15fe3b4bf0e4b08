import { EnvelopeError } from '@warren/shared/envelope';
import { SharedErrors } from '@warren/shared/errors';

/**
 * Applies one envelope rule to a request's field, turning its refusal into a 400 naming the field:
 * the only place that does, so every route refuses the envelope's rules alike.
 * @param where what holds the field, for the problem's detail.
 * @throws INVALID_REQUEST (400) naming the field.
 */
export function field<T>(name: string, rule: () => T, where = 'request body'): T {
  try {
    return rule();
  } catch (error) {
    if (!(error instanceof EnvelopeError)) throw error;
    throw new SharedErrors.invalidRequest(`the ${where} is invalid: ${error.detail}`, {
      errors: [{ field: name, message: error.detail }],
    });
  }
}
