import type { FieldError } from '../errors.ts';

/** An RFC 9457 problem document as Warren sends it (HTTP.md), with its stable `code`. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: readonly FieldError[];
}

/** The media type of every error answer. */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** The `type` URI of a code: a stable URN, since no page is promised at an http address. */
export function problemType(code: string): string {
  return `urn:warren:problem:${code.toLowerCase().replaceAll('_', '-')}`;
}
