import { expect } from 'chai';
import { z } from 'zod';
import { SharedErrors } from '../../../src/errors.ts';
import { type OpenApiRoute, type OpenApiSpec, openApiDocument, problemsOf } from '../../../src/http/index.ts';
import { thrownBy } from '../../../src/testing/index.ts';

const itemSchema = z.object({ id: z.uuid(), name: z.string().describe('Its name.') });
const itemListSchema = z.object({ items: z.array(itemSchema) });

const route = (more: Partial<OpenApiRoute> = {}): OpenApiRoute => ({
  operationId: 'getItem',
  method: 'get',
  path: '/items/:id',
  tag: 'items',
  summary: 'An item.',
  answers: { 200: { description: 'The item.', body: itemSchema } },
  ...more,
});

const spec = (routes: OpenApiRoute[], more: Partial<OpenApiSpec> = {}): OpenApiSpec => ({
  title: 'test',
  version: '1',
  description: 'A test document.',
  schemas: { Item: itemSchema, ItemList: itemListSchema },
  pathParams: { id: z.string().describe('The item id.') },
  routes,
  ...more,
});

describe('openApiDocument', () => {
  it('turns express paths into templates with their parameters, and answers into component refs', () => {
    const document = openApiDocument(spec([route()]));
    const operation = document.paths['/items/{id}']?.get as Record<string, unknown>;
    expect(operation.parameters).to.deep.equal([
      { name: 'id', in: 'path', required: true, description: 'The item id.', schema: { type: 'string' } },
    ]);
    expect(operation.security).to.deep.equal([]);
    expect((operation.responses as Record<string, unknown>)['200']).to.deep.equal({
      description: 'The item.',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Item' } } },
    });
  });

  it('refers to a named schema inside another and closes answer objects', () => {
    const { schemas } = openApiDocument(spec([route()])).components;
    expect(schemas.ItemList).to.deep.include({
      type: 'object',
      properties: { items: { type: 'array', items: { $ref: '#/components/schemas/Item' } } },
      additionalProperties: false,
    });
    expect(schemas.Item).to.not.have.any.keys('$schema', '$id', 'id');
  });

  it('splits a query into parameters, optional when it has a default, and takes a body as the client sends it', () => {
    const query = z.object({ q: z.string(), limit: z.coerce.number().int().min(1).default(20) });
    const body = z.object({ name: z.string(), tags: z.array(z.string()).default([]) });
    const document = openApiDocument(
      spec([route({ method: 'post', path: '/items', query, body, answers: { 201: { description: 'Made.' } } })]),
    );
    const operation = document.paths['/items']?.post as Record<string, unknown>;
    expect(operation.parameters).to.deep.equal([
      { name: 'q', in: 'query', required: true, schema: { type: 'string' } },
      {
        name: 'limit',
        in: 'query',
        required: false,
        schema: { type: 'integer', minimum: 1, default: 20, maximum: Number.MAX_SAFE_INTEGER },
      },
    ]);
    const requestBody = operation.requestBody as { content: Record<string, { schema: { required?: string[] } }> };
    expect(requestBody.content['application/json']?.schema.required).to.deep.equal(['name']);
  });

  it('lists each status’s problems as components whose code, status and title are fixed', () => {
    const document = openApiDocument(
      spec(
        [route({ bearer: true, query: z.object({ q: z.string() }), problems: [SharedErrors.databaseUnavailable] })],
        {
          bearerProblems: [SharedErrors.signingKeysUnavailable],
        },
      ),
    );
    const responses = document.paths['/items/{id}']?.get?.responses as Record<string, Record<string, unknown>>;
    expect(Object.keys(responses)).to.deep.equal(['200', '400', '401', '500', '503']);
    expect(responses['503']?.content).to.deep.equal({
      'application/problem+json': {
        schema: {
          oneOf: [
            { $ref: '#/components/schemas/Problem.SIGNING_KEYS_UNAVAILABLE' },
            { $ref: '#/components/schemas/Problem.DATABASE_UNAVAILABLE' },
          ],
        },
      },
    });
    expect(responses['401']?.headers).to.have.key('WWW-Authenticate');
    const problem = document.components.schemas['Problem.DATABASE_UNAVAILABLE'] as {
      properties: Record<string, unknown>;
    };
    expect(problem.properties.code).to.deep.equal({ type: 'string', const: 'DATABASE_UNAVAILABLE' });
    expect(problem.properties.status).to.deep.equal({ type: 'number', const: 503 });
  });

  it('adds the body’s refusals to a route with one, and INTERNAL to every route', () => {
    const codes = problemsOf(route({ body: z.object({}) }), {}).map((error) => error.code);
    expect(codes).to.deep.equal([
      'INVALID_REQUEST',
      'INVALID_JSON',
      'BODY_TOO_LARGE',
      'UNSUPPORTED_MEDIA_TYPE',
      'INTERNAL',
    ]);
  });

  it('refuses an answer that is not a named schema and a path parameter without a schema', () => {
    const unnamed = route({ answers: { 200: { description: 'x', body: z.object({ other: z.string() }) } } });
    expect(thrownBy(() => openApiDocument(spec([unnamed])), Error).message).to.match(/not one of the named schemas/);
    const unknownParam = route({ path: '/items/:id/parts/:partId' });
    expect(thrownBy(() => openApiDocument(spec([unknownParam])), Error).message).to.match(/no schema for :partId/);
  });
});
