import type { RequestHandler } from 'express';
import { z } from 'zod';
import { type OpenApiDocument, type OpenApiRoute, type OpenApiSpec, openApiDocument } from './openapi-document.ts';

/** `GET /healthz`. */
export const healthSchema = z.object({ status: z.literal('ok') });

/** `GET /readyz`: whether each dependency works. */
export const readinessSchema = z.object({
  status: z.enum(['ready', 'not ready']),
  checks: z.record(z.string(), z.enum(['ok', 'failing'])).describe('Each dependency by name.'),
});

/** What a served OpenAPI document is, as far as its own document says. */
export const openApiDocumentSchema = z.looseObject({
  openapi: z.literal('3.1.0'),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.record(z.string(), z.unknown())),
  components: z.looseObject({}),
});

/**
 * What every Warren service answers besides its own routes (HTTP.md, "Every service"), and its
 * OpenAPI document at `documentPath`: the routes and the schemas of their answers.
 */
export function serviceRoutes(documentPath: string): {
  routes: OpenApiRoute[];
  schemas: Record<string, z.ZodType>;
} {
  const tag = 'service';
  return {
    schemas: { Health: healthSchema, Readiness: readinessSchema, OpenApiDocument: openApiDocumentSchema },
    routes: [
      {
        operationId: 'openApiDocument',
        method: 'get',
        path: documentPath,
        tag,
        summary: 'This document.',
        answers: { 200: { description: 'The OpenAPI 3.1 document of this service.', body: openApiDocumentSchema } },
      },
      {
        operationId: 'healthz',
        method: 'get',
        path: '/healthz',
        tag,
        summary: 'Liveness: answers while the process runs.',
        answers: { 200: { description: 'Alive.', body: healthSchema } },
      },
      {
        operationId: 'readyz',
        method: 'get',
        path: '/readyz',
        tag,
        summary: 'Readiness: whether the broker connection (and database, where there is one) works.',
        answers: {
          200: { description: 'Ready.', body: readinessSchema },
          503: { description: 'Not ready: a dependency is failing.', body: readinessSchema },
        },
      },
      {
        operationId: 'metrics',
        method: 'get',
        path: '/metrics',
        tag,
        summary: 'Prometheus metrics.',
        answers: { 200: { description: 'The Prometheus text format.', text: 'text/plain' } },
      },
    ],
  };
}

/**
 * Serves the document of `spec`, made on the first request (then kept: it depends on the code
 * alone), unauthenticated.
 */
export function serveOpenApi(spec: () => OpenApiSpec): RequestHandler {
  let document: OpenApiDocument | undefined;
  return (_req, res) => {
    document ??= openApiDocument(spec());
    res.json(document);
  };
}
