import { z } from 'zod';
import { isJsonContentType } from './content-type.ts';
import type { DeliveryLike } from './delivery.ts';
import { EnvelopeError, type EnvelopeErrorCode } from './envelope-error.ts';

/** The fields of a message body before the field rules run (see `contentOf`, `messageTypeOf`, `extraOf`). */
export interface MessageBody {
  readonly content: string;
  readonly type?: string | undefined;
  readonly extra?: unknown;
  readonly created_at?: string | undefined;
}

/** A JSON message body (AMQP.md); other fields are ignored, the session above all. */
const jsonBody = z.object({
  content: z.string(),
  type: z.string().optional(),
  extra: z.unknown().optional(),
  created_at: z.string().optional(),
});

/** The error code of a schema problem, by the field it is in. */
const codeOfField: Readonly<Record<string, EnvelopeErrorCode>> = {
  type: 'invalid_type',
  created_at: 'invalid_created_at',
};

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The body bytes as UTF-8 text (a leading byte-order mark is dropped). */
export function bodyText(delivery: DeliveryLike): string {
  try {
    return utf8.decode(delivery.content);
  } catch {
    throw new EnvelopeError('invalid_utf8', 'the body is not valid UTF-8');
  }
}

/** The body as JSON. */
export function bodyJson(delivery: DeliveryLike): unknown {
  const text = bodyText(delivery);
  try {
    return JSON.parse(text);
  } catch {
    throw new EnvelopeError('invalid_json', 'the body is not valid JSON');
  }
}

/**
 * The message body of a delivery: with an `application/json` content type, the JSON object
 * `{ content, type?, extra?, created_at? }`; with any other content type or none, the UTF-8 text of
 * the body is the content.
 *
 * @throws EnvelopeError `invalid_utf8`, `invalid_json`, `invalid_body` (not an object, or `content`
 * not a string), `invalid_type` or `invalid_created_at` (not a string).
 */
export function messageBodyOf(delivery: DeliveryLike): MessageBody {
  if (!isJsonContentType(delivery.properties.contentType)) return { content: bodyText(delivery) };
  const parsed = jsonBody.safeParse(bodyJson(delivery));
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path[0];
  const code = (typeof field === 'string' ? codeOfField[field] : undefined) ?? 'invalid_body';
  const where = field === undefined ? 'the body' : String(field);
  throw new EnvelopeError(code, `${where}: ${issue?.message ?? 'invalid'}`);
}
