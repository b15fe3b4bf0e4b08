import { z } from 'zod';
import { definedErrors, type WarrenErrorClass } from '../../errors.ts';
import { type Problem, problemType } from '../problem.ts';

/** One field problem of a 400 (HTTP.md): `{ field, message }`. */
export const fieldErrorSchema = z.object({
  field: z.string().describe('The field, as a dotted path (`members.0`), or `(body)` for the whole body.'),
  message: z.string(),
});

/** Any problem document Warren sends (RFC 9457, HTTP.md), with its stable `code`. */
export const problemSchema = z.object({
  type: z.string().describe('`urn:warren:problem:<code in kebab case>`.'),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  code: z.string().describe('Stable: clients may rely on it.'),
  errors: z.array(fieldErrorSchema).optional().describe('The field problems of an INVALID_REQUEST.'),
});

// What the schema parses to is what the error middleware sends.
const _problemShape: Problem = {} as z.output<typeof problemSchema>;
void _problemShape;

/**
 * The problem document of one error code: `problemSchema` with its `type`, `title`, `status` and
 * `code` fixed to what `defineError` registered, so an answer with another code does not fit.
 * @throws Error for a class whose code was never defined (it cannot be).
 */
export function problemSchemaOf(error: WarrenErrorClass): z.ZodType {
  const defined = definedErrors().get(error.code);
  if (defined === undefined) throw new Error(`problemSchemaOf: error code ${error.code} is not defined`);
  return problemSchema
    .extend({
      type: z.literal(problemType(error.code)),
      title: z.literal(defined.title),
      status: z.literal(defined.status),
      code: z.literal(error.code),
    })
    .describe(defined.title);
}
