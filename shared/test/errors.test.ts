import { expect } from 'chai';
import { definedErrors, defineError, SharedErrors, WarrenError } from '../src/errors.ts';

const Teapot = defineError('SHARED_TEST_TEAPOT', 418, 'I am a teapot');

describe('WarrenError', () => {
  it('carries code, status, title and detail', () => {
    const error = new WarrenError('SOME_CODE', 409, 'Conflict', 'it clashes');
    expect(error).to.be.instanceOf(Error);
    expect(error).to.include({ name: 'WarrenError', code: 'SOME_CODE', status: 409, title: 'Conflict' });
    expect(error.message).to.equal('it clashes');
    expect(error.errors).to.equal(undefined);
    expect(error.headers).to.deep.equal({});
    expect(error).to.not.have.property('cause');
  });

  it('keeps the cause, field errors and headers it is given', () => {
    const cause = new Error('root');
    const errors = [{ field: 'name', message: 'too short' }];
    const error = new WarrenError('SOME_CODE', 429, 'Slow down', 'wait', {
      cause,
      errors,
      headers: { 'Retry-After': '3' },
    });
    expect(error.cause).to.equal(cause);
    expect(error.errors).to.deep.equal(errors);
    expect(error.headers).to.deep.equal({ 'Retry-After': '3' });
  });
});

describe('defineError', () => {
  it('makes a WarrenError class whose default detail is the title', () => {
    const error = new Teapot();
    expect(error).to.be.instanceOf(WarrenError);
    expect(error).to.include({ code: 'SHARED_TEST_TEAPOT', status: 418, title: 'I am a teapot' });
    expect(error.message).to.equal('I am a teapot');
    expect(Teapot.code).to.equal('SHARED_TEST_TEAPOT');
    expect(Teapot.status).to.equal(418);
  });

  it('takes a detail and options', () => {
    const error = new Teapot('short and stout', { errors: [{ field: 'spout', message: 'missing' }] });
    expect(error.message).to.equal('short and stout');
    expect(error.title).to.equal('I am a teapot');
    expect(error.errors).to.deep.equal([{ field: 'spout', message: 'missing' }]);
  });

  it('refuses a code defined twice', () => {
    expect(() => defineError('SHARED_TEST_TEAPOT', 400, 'Again')).to.throw(
      'error code SHARED_TEST_TEAPOT is defined twice',
    );
    expect(() => defineError('NOT_FOUND', 404, 'Not found')).to.throw(/defined twice/);
  });

  it('registers every code with its status and title', () => {
    expect(definedErrors().get('SHARED_TEST_TEAPOT')).to.deep.equal({ status: 418, title: 'I am a teapot' });
  });
});

describe('SharedErrors', () => {
  it('has the codes and statuses of HTTP.md', () => {
    const statuses = Object.fromEntries(Object.values(SharedErrors).map((error) => [error.code, error.status]));
    expect(statuses).to.deep.equal({
      NOT_FOUND: 404,
      INVALID_REQUEST: 400,
      INVALID_JSON: 400,
      BODY_TOO_LARGE: 413,
      UNSUPPORTED_MEDIA_TYPE: 415,
      UNAUTHORIZED: 401,
      RATE_LIMITED: 429,
      BROKER_UNAVAILABLE: 503,
      DATABASE_UNAVAILABLE: 503,
      INTERNAL: 500,
      SIGNING_KEYS_UNAVAILABLE: 503,
    });
    for (const error of Object.values(SharedErrors)) expect(definedErrors().has(error.code)).to.equal(true);
  });
});
