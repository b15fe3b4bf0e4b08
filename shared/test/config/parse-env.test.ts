import { expect } from 'chai';
import { z } from 'zod';
import { ConfigError, parseEnv } from '../../src/config/index.ts';
import { thrownBy } from '../../src/testing/index.ts';

const shape = {
  NAME: z.string().min(1).default('warren'),
  COUNT: z.coerce.number().int().min(1),
  MODE: z.enum(['a', 'b']).default('a'),
};

describe('parseEnv', () => {
  it('returns the parsed values with defaults for unset variables', () => {
    expect(parseEnv(shape, { COUNT: '3' })).to.deep.equal({ NAME: 'warren', COUNT: 3, MODE: 'a' });
  });

  it('treats an empty string as unset, so the default applies', () => {
    expect(parseEnv(shape, { NAME: '', COUNT: '1', MODE: '' })).to.deep.equal({ NAME: 'warren', COUNT: 1, MODE: 'a' });
  });

  it('reads only the variables of the shape', () => {
    expect(parseEnv(shape, { COUNT: '2', OTHER: 'x', PATH: '/bin' })).to.not.have.property('OTHER');
  });

  it('names every invalid variable, missing ones included', () => {
    const error = thrownBy(() => parseEnv(shape, { MODE: 'c' }), ConfigError);
    expect(error.name).to.equal('ConfigError');
    expect(error.problems.map((problem) => problem.variable).sort()).to.deep.equal(['COUNT', 'MODE']);
    for (const problem of error.problems) expect(problem.message).to.be.a('string').and.not.be.empty;
    expect(error.message).to.contain('  COUNT: ').and.contain('  MODE: ').and.contain('docs/configuration.md');
  });

  it('names a variable whose value does not convert', () => {
    const error = thrownBy(() => parseEnv(shape, { COUNT: 'many' }), ConfigError);
    expect(error.problems).to.have.length(1);
    expect(error.problems[0]?.variable).to.equal('COUNT');
  });
});
