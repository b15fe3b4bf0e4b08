import { ConfigError } from '@warren/shared/config';
import { expect } from 'chai';
import { configShape, loadConfig } from '../src/config.ts';

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('loadConfig accepted a bad configuration');
}

describe('persister config', () => {
  it('has the defaults of OPERATIONS.md and the issue', () => {
    expect(loadConfig({})).to.deep.equal({
      PORT: 3004,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      RABBITMQ_URL: 'amqp://guest:guest@127.0.0.1:5672/',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/warren',
      TRUSTED_PUBLISHERS: ['chat-api'],
      SHUTDOWN_TIMEOUT_MS: 10_000,
      BATCH_SIZE: 200,
      BATCH_MAX_WAIT_MS: 50,
      PREFETCH: 800,
      STORE_RETRY_INITIAL_MS: 100,
      STORE_RETRY_MAX_MS: 5000,
    });
  });

  it('reads every variable of configShape', () => {
    expect(Object.keys(loadConfig({})).sort()).to.deep.equal(Object.keys(configShape).sort());
  });

  it('parses the trusted publishers as a comma-separated list', () => {
    expect(loadConfig({ TRUSTED_PUBLISHERS: 'chat-api, other ,' }).TRUSTED_PUBLISHERS).to.deep.equal([
      'chat-api',
      'other',
    ]);
  });

  it('stops with a message naming every bad variable', () => {
    const error = configError({ BATCH_SIZE: '0', BATCH_MAX_WAIT_MS: 'soon', PORT: '-1' });
    expect(error.problems.map((p) => p.variable)).to.have.members(['BATCH_SIZE', 'BATCH_MAX_WAIT_MS', 'PORT']);
  });

  it('refuses a batch larger than one insert can carry', () => {
    expect(configError({ BATCH_SIZE: '10000', PREFETCH: '20000' }).problems.map((p) => p.variable)).to.deep.equal([
      'BATCH_SIZE',
    ]);
  });

  it('refuses a prefetch below the batch size, which could never fill a batch', () => {
    const error = configError({ BATCH_SIZE: '500', PREFETCH: '100' });
    expect(error.problems).to.deep.equal([{ variable: 'PREFETCH', message: 'must be at least BATCH_SIZE (500)' }]);
    expect(error.message).to.include('PREFETCH:');
  });

  it('refuses a longest retry pause below the first one', () => {
    const error = configError({ STORE_RETRY_INITIAL_MS: '1000', STORE_RETRY_MAX_MS: '10' });
    expect(error.problems.map((p) => p.variable)).to.deep.equal(['STORE_RETRY_MAX_MS']);
  });
});
