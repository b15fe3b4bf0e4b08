import { expect } from 'chai';
import { CliError, loadConfig, userOf, vhostOf } from '../src/index.ts';

describe('loadConfig', () => {
  it("takes the services' defaults, and only the variables a command asks for", () => {
    const config = loadConfig(['RABBITMQ_URL', 'TRUSTED_PUBLISHERS'], { DATABASE_URL: 'not a url' });
    expect(config).to.deep.equal({
      RABBITMQ_URL: 'amqp://guest:guest@127.0.0.1:5672/',
      TRUSTED_PUBLISHERS: ['chat-api'],
    });
  });

  it('lets a flag win over its variable', () => {
    const config = loadConfig(
      ['RABBITMQ_URL', 'RABBITMQ_MANAGEMENT_URL', 'DATABASE_URL'],
      { RABBITMQ_URL: 'amqp://a@env/warren', DATABASE_URL: 'postgres://env/warren' },
      { url: 'amqp://b@flag/warren', managementUrl: 'http://admin:pw@flag:15672/' },
    );
    expect(config).to.deep.equal({
      RABBITMQ_URL: 'amqp://b@flag/warren',
      RABBITMQ_MANAGEMENT_URL: 'http://admin:pw@flag:15672/',
      DATABASE_URL: 'postgres://env/warren',
    });
  });

  it('names each bad variable and its flag, never the value', () => {
    const attempt = () =>
      loadConfig(['RABBITMQ_URL', 'DATABASE_URL'], {
        RABBITMQ_URL: 'https://user:secret@host/',
        DATABASE_URL: 'mysql://x',
      });
    expect(attempt).to.throw(CliError);
    try {
      attempt();
    } catch (error) {
      expect((error as Error).message).to.equal(
        'invalid configuration:\n' +
          '  RABBITMQ_URL (or --url): must be a URL with scheme amqp: or amqps:\n' +
          '  DATABASE_URL (or --database-url): must be a URL with scheme postgres: or postgresql:',
      );
    }
  });
});

describe('vhostOf and userOf', () => {
  it('read a broker URL as RabbitMQ does', () => {
    expect(vhostOf('amqp://bot:pw@host:5672/warren')).to.equal('warren');
    expect(vhostOf('amqp://bot:pw@host:5672/%2F')).to.equal('/');
    expect(vhostOf('amqp://bot:pw@host:5672')).to.equal('/');
    expect(userOf('amqp://build%40ci:pw@host/warren')).to.equal('build@ci');
    expect(userOf('amqp://host/warren')).to.equal('guest');
  });

  it("read a cluster's list of nodes by its first node, not as one URL whose path runs into the next", () => {
    const nodes = 'amqp://bot:pw@rabbit-1:5672/warren,amqp://bot:pw@rabbit-2:5672/warren';
    expect(vhostOf(nodes)).to.equal('warren');
    expect(userOf(nodes)).to.equal('bot');
    expect(loadConfig(['RABBITMQ_URL'], {}, { url: nodes }).RABBITMQ_URL).to.equal(nodes);
  });
});
