import { expect } from 'chai';
import { z } from 'zod';
import { SharedErrors } from '../../src/errors.ts';
import { openApiDocument, problemType } from '../../src/http/index.ts';
import { type CheckedAnswer, OpenApiAnswers } from '../../src/testing/openapi-answers.ts';

const itemSchema = z.object({ id: z.uuid(), created_at: z.iso.datetime({ offset: true }) });
const document = openApiDocument({
  title: 'test',
  version: '1',
  description: 'A test document.',
  schemas: { Item: itemSchema },
  pathParams: { id: z.string() },
  routes: [
    {
      operationId: 'getItem',
      method: 'get',
      path: '/items/:id',
      tag: 'items',
      summary: 'An item.',
      answers: { 200: { description: 'The item.', body: itemSchema } },
      problems: [SharedErrors.notFound],
    },
    {
      operationId: 'deleteItem',
      method: 'delete',
      path: '/items/:id',
      tag: 'items',
      summary: 'Deletes an item.',
      answers: { 204: { description: 'Deleted.' } },
    },
    {
      operationId: 'searchItems',
      method: 'get',
      path: '/items/search',
      tag: 'items',
      summary: 'Finds items.',
      answers: { 200: { description: 'The item.', body: itemSchema } },
    },
  ],
});

const item = { id: '0b8a1c52-5d2f-4c1e-9a55-3f1f5b7e9d10', created_at: '2026-12-02T16:00:00.000Z' };
const answer = (status: number, body?: unknown): CheckedAnswer => ({ status, headers: new Headers(), body });
const problem = (code: string, status: number, title: string) => ({
  type: problemType(code),
  title,
  status,
  detail: 'x',
  code,
});

describe('OpenApiAnswers (the OpenAPI tests’ check of real answers)', () => {
  let answers: OpenApiAnswers;
  before(async () => {
    answers = await OpenApiAnswers.of(document, () => 'http://127.0.0.1:1');
  });

  it('refuses a document that is no valid OpenAPI 3.1', async () => {
    const broken = { ...document, info: { title: 'no version' } };
    const error = await OpenApiAnswers.of(broken, () => '').then(
      () => undefined,
      (thrown: Error) => thrown,
    );
    expect(error?.message).to.match(/invalid OpenAPI document/);
  });

  it('takes a fitting answer and counts its route, literal segments before parameters', () => {
    answers.check('GET', '/items/search?q=x', answer(200, item), 'application/json');
    answers.check('GET', `/items/${item.id}`, answer(200, item), 'application/json');
    answers.check('DELETE', `/items/${item.id}`, answer(204), '');
    expect([...answers.exercised].sort()).to.deep.equal([...answers.documented()].sort());
  });

  it('refuses a field too many, a field missing or a format broken', () => {
    const path = `/items/${item.id}`;
    expect(() => answers.check('GET', path, answer(200, { ...item, extra: 1 }), 'application/json')).to.throw(
      /does not fit/,
    );
    expect(() => answers.check('GET', path, answer(200, { id: item.id }), 'application/json')).to.throw(/does not fit/);
    expect(() =>
      answers.check('GET', path, answer(200, { ...item, created_at: 'yesterday' }), 'application/json'),
    ).to.throw(/does not fit/);
  });

  it('refuses an undocumented route, status, media type, body or problem code', () => {
    const path = `/items/${item.id}`;
    expect(() => answers.check('PUT', path, answer(204), '')).to.throw(/route is not documented/);
    expect(() => answers.check('GET', path, answer(201, item), 'application/json')).to.throw(
      /status is not documented/,
    );
    expect(() => answers.check('GET', path, answer(200, 'text'), 'text/plain')).to.throw(/media type/);
    expect(() => answers.check('DELETE', path, answer(204, { any: 1 }), 'application/json')).to.throw(/without a body/);
    const notFound = problem('NOT_FOUND', 404, 'Not found');
    answers.check('GET', path, answer(404, notFound), 'application/problem+json');
    const otherCode = { ...notFound, code: 'SESSION_NOT_FOUND', type: problemType('SESSION_NOT_FOUND') };
    expect(() => answers.check('GET', path, answer(404, otherCode), 'application/problem+json')).to.throw(
      /does not fit/,
    );
  });
});
