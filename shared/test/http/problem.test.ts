import { expect } from 'chai';
import { PROBLEM_CONTENT_TYPE, problemType } from '../../src/http/index.ts';

describe('problem documents', () => {
  it('use the RFC 9457 media type', () => {
    expect(PROBLEM_CONTENT_TYPE).to.equal('application/problem+json');
  });

  it('have a stable URN type made from the code', () => {
    expect(problemType('NOT_FOUND')).to.equal('urn:warren:problem:not-found');
    expect(problemType('BODY_TOO_LARGE')).to.equal('urn:warren:problem:body-too-large');
    expect(problemType('INTERNAL')).to.equal('urn:warren:problem:internal');
  });
});
