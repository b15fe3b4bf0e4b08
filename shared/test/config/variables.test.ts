import { expect } from 'chai';
import { ConfigError, list, parseEnv, portVariable, variables } from '../../src/config/index.ts';
import { thrownBy } from '../../src/testing/index.ts';

/** The variables of the ConfigError `run` throws. */
function problemsOf(run: () => unknown): string[] {
  return thrownBy(run, ConfigError).problems.map((problem) => problem.variable);
}

describe('variables', () => {
  it('has the defaults of OPERATIONS.md', () => {
    expect(parseEnv(variables, {})).to.deep.equal({
      RABBITMQ_URL: 'amqp://guest:guest@127.0.0.1:5672/',
      RABBITMQ_MANAGEMENT_URL: 'http://guest:guest@127.0.0.1:15672/',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/warren',
      AUTH_URL: 'http://127.0.0.1:3001',
      LOG_LEVEL: 'info',
      JWT_ISSUER: 'warren-auth',
      JWT_AUDIENCE: 'warren',
      TRUSTED_PUBLISHERS: ['chat-api'],
      SHUTDOWN_TIMEOUT_MS: 10_000,
      TRUST_PROXY: 0,
      HOST: '127.0.0.1',
    });
  });

  it('takes an IP address for HOST and refuses anything else, naming HOST', () => {
    expect(parseEnv(variables, { HOST: '0.0.0.0' }).HOST).to.equal('0.0.0.0');
    expect(parseEnv(variables, { HOST: '::' }).HOST).to.equal('::');
    expect(problemsOf(() => parseEnv(variables, { HOST: 'every interface' }))).to.deep.equal(['HOST']);
  });

  it('accepts URLs of the right schemes', () => {
    const env = parseEnv(variables, {
      RABBITMQ_URL: 'amqps://user:pass@broker.example:5671/warren',
      DATABASE_URL: 'postgresql://db.example/warren',
      AUTH_URL: 'https://auth.example',
    });
    expect(env.RABBITMQ_URL).to.equal('amqps://user:pass@broker.example:5671/warren');
    expect(env.DATABASE_URL).to.equal('postgresql://db.example/warren');
    expect(env.AUTH_URL).to.equal('https://auth.example');
  });

  it('refuses URLs of another scheme and values that are not URLs, naming each variable', () => {
    expect(
      problemsOf(() =>
        parseEnv(variables, {
          RABBITMQ_URL: 'http://127.0.0.1:5672/',
          RABBITMQ_MANAGEMENT_URL: 'amqp://127.0.0.1/',
          DATABASE_URL: 'not a url',
          AUTH_URL: 'ftp://auth.example',
        }),
      ).sort(),
    ).to.deep.equal(['AUTH_URL', 'DATABASE_URL', 'RABBITMQ_MANAGEMENT_URL', 'RABBITMQ_URL']);
  });

  it('says which schemes a URL variable takes', () => {
    try {
      parseEnv(variables, { RABBITMQ_URL: 'http://127.0.0.1/' });
      expect.fail('expected a ConfigError');
    } catch (error) {
      expect((error as ConfigError).message).to.contain('RABBITMQ_URL: must be a URL with scheme amqp: or amqps:');
    }
  });

  it('takes the nodes of a cluster as a comma-separated RABBITMQ_URL, as written, and refuses mixed users', () => {
    const nodes = 'amqp://chat-api:p@rabbit-1:5672/warren,amqp://chat-api:p@rabbit-2:5672/warren';
    expect(parseEnv(variables, { RABBITMQ_URL: nodes }).RABBITMQ_URL).to.equal(nodes);
    expect(
      problemsOf(() => parseEnv(variables, { RABBITMQ_URL: `${nodes},amqp://persister:p@rabbit-3:5672/warren` })),
    ).to.deep.equal(['RABBITMQ_URL']);
    expect(problemsOf(() => parseEnv(variables, { RABBITMQ_URL: `${nodes},http://rabbit-3/` }))).to.deep.equal([
      'RABBITMQ_URL',
    ]);
  });

  it('takes only the pino levels as LOG_LEVEL', () => {
    expect(parseEnv(variables, { LOG_LEVEL: 'silent' }).LOG_LEVEL).to.equal('silent');
    expect(problemsOf(() => parseEnv(variables, { LOG_LEVEL: 'verbose' }))).to.deep.equal(['LOG_LEVEL']);
  });

  it('bounds the numeric variables', () => {
    expect(parseEnv(variables, { SHUTDOWN_TIMEOUT_MS: '500', TRUST_PROXY: '2' })).to.include({
      SHUTDOWN_TIMEOUT_MS: 500,
      TRUST_PROXY: 2,
    });
    expect(
      problemsOf(() => parseEnv(variables, { SHUTDOWN_TIMEOUT_MS: '99', TRUST_PROXY: '-1' })).sort(),
    ).to.deep.equal(['SHUTDOWN_TIMEOUT_MS', 'TRUST_PROXY']);
    expect(
      problemsOf(() => parseEnv(variables, { SHUTDOWN_TIMEOUT_MS: '60001', TRUST_PROXY: '1.5' })).sort(),
    ).to.deep.equal(['SHUTDOWN_TIMEOUT_MS', 'TRUST_PROXY']);
  });

  it('splits TRUSTED_PUBLISHERS on commas, trimming and dropping blanks', () => {
    expect(parseEnv(variables, { TRUSTED_PUBLISHERS: ' chat-api , bot,, ' }).TRUSTED_PUBLISHERS).to.deep.equal([
      'chat-api',
      'bot',
    ]);
  });
});

describe('list', () => {
  it('defaults to its fallback', () => {
    expect(parseEnv({ ITEMS: list(['a', 'b']) }, {})).to.deep.equal({ ITEMS: ['a', 'b'] });
  });

  it('is empty for a value of only separators', () => {
    expect(parseEnv({ ITEMS: list(['a']) }, { ITEMS: ' , ,' })).to.deep.equal({ ITEMS: [] });
  });
});

describe('portVariable', () => {
  const shape = { PORT: portVariable(3002) };

  it('defaults to the service port and coerces a given one', () => {
    expect(parseEnv(shape, {})).to.deep.equal({ PORT: 3002 });
    expect(parseEnv(shape, { PORT: '8080' })).to.deep.equal({ PORT: 8080 });
    expect(parseEnv(shape, { PORT: '0' })).to.deep.equal({ PORT: 0 });
  });

  it('refuses what is not a TCP port', () => {
    for (const value of ['65536', '-1', '80.5', 'http']) {
      expect(problemsOf(() => parseEnv(shape, { PORT: value }))).to.deep.equal(['PORT']);
    }
  });
});
