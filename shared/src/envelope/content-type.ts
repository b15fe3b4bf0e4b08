import { stringProperty } from './delivery.ts';

/** The content type of a JSON body, as the encoders set it. */
export const JSON_CONTENT_TYPE = 'application/json';

/**
 * Whether a `content_type` property announces a JSON body: `application/json`, in any case, with
 * or without parameters such as `; charset=utf-8`.
 */
export function isJsonContentType(contentType: unknown): boolean {
  const value = stringProperty(contentType);
  return value?.split(';', 1)[0]?.trim().toLowerCase() === JSON_CONTENT_TYPE;
}
