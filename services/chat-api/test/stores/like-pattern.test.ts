import { expect } from 'chai';
import { escapeLike } from '../../src/stores/like-pattern.ts';

describe('escapeLike', () => {
  it('escapes the LIKE wildcards and the escape character', () => {
    expect(escapeLike('100%_sure\\')).to.equal('100\\%\\_sure\\\\');
  });

  it('leaves other text alone', () => {
    expect(escapeLike('Rust & TypeScript')).to.equal('Rust & TypeScript');
  });
});
