import { expect } from 'chai';
import { ApiError } from '../../src/api/api-error.ts';
import { describeError } from '../../src/api/describe-error.ts';

describe('describeError', () => {
  it('speaks of stable codes in words', () => {
    expect(describeError(new ApiError(409, { code: 'USERNAME_TAKEN', detail: 'taken' }))).to.equal(
      'That username is taken. Try another one.',
    );
    expect(describeError(new ApiError(401, { code: 'INVALID_CREDENTIALS' }))).to.equal('Wrong username or password.');
  });

  it('names unknown users and the wait after too many messages', () => {
    expect(describeError(new ApiError(404, { code: 'USER_NOT_FOUND', detail: 'no user named zed, ann' }))).to.equal(
      'There is no user called zed, ann.',
    );
    expect(describeError(new ApiError(429, { code: 'TOO_MANY_MESSAGES' }, 3))).to.equal(
      'You are sending messages too fast. Wait 3 s and try again.',
    );
  });

  it('names the fields of a refused body, never showing the document', () => {
    const error = new ApiError(400, {
      code: 'INVALID_REQUEST',
      errors: [
        { field: 'username', message: 'must be 3 to 32 characters of A-Z a-z 0-9 _ . -' },
        { field: 'weird.path', message: '{"raw":true}' },
      ],
    });
    expect(describeError(error)).to.equal(
      'Username must be 3 to 32 characters of A-Z a-z 0-9 _ . -. Some of what you entered is not valid.',
    );
  });

  it('falls back on the status, and on no answer at all', () => {
    expect(describeError(new ApiError(0))).to.equal('Cannot reach Warren. Check your connection and try again.');
    expect(describeError(new ApiError(503))).to.match(/^Warren is having trouble/);
    expect(describeError(new Error('boom'))).to.equal('Something went wrong. Try again.');
  });
});
