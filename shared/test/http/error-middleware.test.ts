import { expect } from 'chai';
import { SharedErrors, WarrenError } from '../../src/errors.ts';
import { toWarrenError } from '../../src/http/index.ts';

/** An error as body-parser or a driver makes them: an Error with extra fields. */
function errorWith(fields: Record<string, unknown>, message = 'failed'): Error {
  return Object.assign(new Error(message), fields);
}

describe('toWarrenError', () => {
  it('keeps a WarrenError as it is', () => {
    const error = new SharedErrors.rateLimited();
    expect(toWarrenError(error)).to.equal(error);
  });

  it('maps body-parser errors to 400, 413 and 415 problems', () => {
    const cases: [string, string][] = [
      ['entity.parse.failed', 'INVALID_JSON'],
      ['entity.too.large', 'BODY_TOO_LARGE'],
      ['encoding.unsupported', 'UNSUPPORTED_MEDIA_TYPE'],
      ['charset.unsupported', 'UNSUPPORTED_MEDIA_TYPE'],
    ];
    for (const [type, code] of cases) {
      const cause = errorWith({ type, status: 400 });
      const error = toWarrenError(cause);
      expect(error.code, type).to.equal(code);
      expect(error.cause).to.equal(cause);
    }
  });

  it('maps any other client error of a middleware to INVALID_REQUEST', () => {
    expect(toWarrenError(errorWith({ status: 400, type: 'request.aborted' })).code).to.equal('INVALID_REQUEST');
    expect(toWarrenError(errorWith({ status: 404 })).status).to.equal(400);
  });

  it('maps an unreachable database to a 503 DATABASE_UNAVAILABLE', () => {
    const down = [
      errorWith({ code: 'ECONNREFUSED' }),
      errorWith({ code: 'ETIMEDOUT' }),
      errorWith({ code: '57P01' }, 'terminating connection due to administrator command'),
      errorWith({ code: '08006' }),
      errorWith({ name: 'KnexTimeoutError' }, 'Knex: Timeout acquiring a connection'),
      new Error('Connection terminated unexpectedly'),
    ];
    for (const cause of down) {
      const error = toWarrenError(cause);
      expect(error.code, cause.message).to.equal('DATABASE_UNAVAILABLE');
      expect(error.status).to.equal(503);
      expect(error.cause).to.equal(cause);
    }
  });

  it('maps everything else to a 500 INTERNAL whose detail tells nothing', () => {
    for (const thrown of [
      new Error('duplicate key value violates unique constraint'),
      errorWith({ code: '23505' }),
      errorWith({ status: 502 }),
      'a string',
      null,
      undefined,
      { code: 'ECONNREFUSED' },
    ]) {
      const error = toWarrenError(thrown);
      expect(error).to.be.instanceOf(WarrenError);
      expect(error.code).to.equal('INTERNAL');
      expect(error.message).to.equal('something went wrong on our side');
      expect(error.cause).to.equal(thrown);
    }
  });
});
