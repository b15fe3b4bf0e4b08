/**
 * zod schemas as the JSON Schema of an AsyncAPI document. AsyncAPI 3.0's default schema format is a
 * superset of JSON Schema draft-07, so that is the target, without the `$schema` keyword.
 */
import { z } from 'zod';

/** A JSON Schema object as `z.toJSONSchema` writes it. */
export type JsonSchema = Record<string, unknown>;

/**
 * The JSON Schema of what a publisher must send for `schema` to accept it (zod's `input` side: a
 * transform is described by the value it takes, never by what it makes of it).
 */
export function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: 'draft-07', io: 'input' });
  return rest;
}
