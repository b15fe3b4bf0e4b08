import { ConfigError } from '@warren/shared/config';
import { expect } from 'chai';
import { loadConfig } from '../src/config.ts';

describe('auth config', () => {
  it('has the defaults of OPERATIONS.md and HTTP.md', () => {
    const config = loadConfig({});
    expect(config).to.include({
      PORT: 3001,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      RABBITMQ_URL: 'amqp://guest:guest@127.0.0.1:5672/',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/warren',
      ACCESS_TOKEN_TTL_SEC: 900,
      REFRESH_TOKEN_TTL_SEC: 30 * 86_400,
      BCRYPT_COST: 12,
      SHUTDOWN_TIMEOUT_MS: 10_000,
      REGISTER_MAX_PER_ADDRESS: 5,
      REGISTER_WINDOW_SEC: 600,
    });
    expect(config.JWT_PRIVATE_KEY_FILE).to.equal(undefined);
  });

  it('stops with a message naming every bad variable', () => {
    const error = (() => {
      try {
        loadConfig({ PORT: 'eighty', RABBITMQ_URL: 'http://wrong-scheme', BCRYPT_COST: '40' });
      } catch (e) {
        return e;
      }
    })();
    expect(error).to.be.instanceOf(ConfigError);
    const message = (error as ConfigError).message;
    for (const variable of ['PORT', 'RABBITMQ_URL', 'BCRYPT_COST']) expect(message).to.include(`${variable}:`);
    expect((error as ConfigError).problems.map((p) => p.variable)).to.have.members([
      'PORT',
      'RABBITMQ_URL',
      'BCRYPT_COST',
    ]);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ LOG_LEVEL: '' }).LOG_LEVEL).to.equal('info');
  });
});
