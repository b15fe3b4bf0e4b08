import { expect } from 'chai';
import { z } from 'zod';
import { WarrenError } from '../../src/errors.ts';
import { validate } from '../../src/http/index.ts';
import { thrownBy } from '../../src/testing/index.ts';

const schema = z.object({
  name: z
    .string()
    .min(1)
    .transform((name) => name.trim()),
  visibility: z.enum(['private', 'public']).default('private'),
  members: z.array(z.object({ username: z.string().min(3) })).optional(),
});

describe('validate', () => {
  it('returns the parsed value, transforms and defaults applied', () => {
    expect(validate(schema, { name: ' general ' })).to.deep.equal({ name: 'general', visibility: 'private' });
  });

  it('throws a 400 INVALID_REQUEST listing each field problem by its path', () => {
    const error = thrownBy(
      () => validate(schema, { name: '', visibility: 'secret', members: [{ username: 'al' }] }),
      WarrenError,
    );
    expect(error).to.include({ code: 'INVALID_REQUEST', status: 400, message: 'the request body is invalid' });
    expect(error.errors?.map((fieldError) => fieldError.field)).to.deep.equal([
      'name',
      'visibility',
      'members.0.username',
    ]);
    for (const fieldError of error.errors ?? []) expect(fieldError.message).to.be.a('string').and.not.be.empty;
  });

  it('names a problem with the whole value as (body)', () => {
    const error = thrownBy(() => validate(schema, 'not an object'), WarrenError);
    expect(error.errors).to.have.length(1);
    expect(error.errors?.[0]?.field).to.equal('(body)');
  });

  it('says which part of the request was invalid', () => {
    const error = thrownBy(
      () => validate(z.object({ limit: z.coerce.number().max(100) }), { limit: '500' }, 'query'),
      WarrenError,
    );
    expect(error.message).to.equal('the query is invalid');
    expect(error.errors?.[0]?.field).to.equal('limit');
  });
});
