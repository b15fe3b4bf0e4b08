import { validate as isUuid } from 'uuid';
import { ChatApiErrors } from '../errors.ts';

/**
 * A message id from a path (`:messageId`): canonical (lower-case) when it is a UUID. Anything else
 * names no message, and is answered as a message that is not there, as `sessionIdOf` answers a
 * session id that is no UUID.
 * @throws MESSAGE_NOT_FOUND (404) otherwise.
 */
export function messageIdParam(value: string | undefined): string {
  if (value === undefined || !isUuid(value)) throw new ChatApiErrors.messageNotFound(`no message ${value}`);
  return value.toLowerCase();
}
