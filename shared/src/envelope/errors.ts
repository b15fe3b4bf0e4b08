/**
 * Why a delivery is refused: stable snake_case codes, written into dead letters and logs, so
 * operators and tests can rely on them. The field rules and the encoders' guards throw the same
 * codes.
 */
export const envelopeErrorCodes = [
  'not_a_session',
  'body_too_large',
  'invalid_message_id',
  'unknown_message_type',
  'untrusted_event',
  'invalid_utf8',
  'invalid_json',
  'invalid_body',
  'content_empty',
  'content_too_long',
  'content_invisible',
  'invalid_characters',
  'invalid_type',
  'extra_not_object',
  'extra_too_large',
  'extra_too_deep',
  'invalid_timestamp',
  'invalid_created_at',
  'invalid_author',
  'invalid_reply_to',
  'invalid_event',
  'undecodable',
] as const;

/** One of {@link envelopeErrorCodes}. */
export type EnvelopeErrorCode = (typeof envelopeErrorCodes)[number];

/** A broken envelope rule: the stable code and a human sentence saying what is wrong. */
export interface EnvelopeProblem {
  readonly code: EnvelopeErrorCode;
  readonly detail: string;
}

/**
 * Thrown by the single-rule functions (`messageIdOf`, `authorOf`, …) and the encoders;
 * `decodeDelivery` turns it into a `{ ok: false }` result instead.
 */
export class EnvelopeError extends Error implements EnvelopeProblem {
  readonly code: EnvelopeErrorCode;
  readonly detail: string;

  constructor(code: EnvelopeErrorCode, detail: string) {
    super(`${code}: ${detail}`);
    this.name = 'EnvelopeError';
    this.code = code;
    this.detail = detail;
  }
}

/** The value of the `x-warren-error` header of a dead letter: `<code>: <detail>`. */
export function deadLetterReason(problem: EnvelopeProblem): string {
  return `${problem.code}: ${problem.detail}`;
}
