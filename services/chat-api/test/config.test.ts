import { ConfigError } from '@warren/shared/config';
import { expect } from 'chai';
import { loadConfig } from '../src/config.ts';

describe('chat-api config', () => {
  it('has the defaults of OPERATIONS.md and HTTP.md', () => {
    expect(loadConfig({})).to.include({
      PORT: 3002,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      RABBITMQ_URL: 'amqp://guest:guest@127.0.0.1:5672/',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/warren',
      AUTH_URL: 'http://127.0.0.1:3001',
      JWT_ISSUER: 'warren-auth',
      JWT_AUDIENCE: 'warren',
      SHUTDOWN_TIMEOUT_MS: 10_000,
      TRUST_PROXY: 0,
      POST_RATE_PER_SEC: 20,
      POST_BURST: 40,
      TYPING_INTERVAL_MS: 2000,
      TYPING_EXPIRATION_MS: 5000,
      CONFIRM_TIMEOUT_MS: 5000,
      USERS_PREFETCH: 32,
    });
  });

  it('believes auth and the ws-gateway by their deployment users, and has the presence timing of HTTP.md', () => {
    const config = loadConfig({});
    expect(config).to.include({
      AUTH_AMQP_USER: 'auth',
      GATEWAY_AMQP_USER: 'ws-gateway',
      DENY_LIST_SIZE: 100_000,
      DENY_LIST_SKEW_MS: 30_000,
      PRESENCE_OFFLINE_DELAY_MS: 5000,
      PRESENCE_GATEWAY_GRACE_MS: 2000,
      PRESENCE_WARMUP_MS: 20_000,
      PRESENCE_FANOUT_MAX_MEMBERS: 1000,
    });
    // A gateway that dies without a word (heartbeat 10 s): its users offline within 30 s.
    const heartbeatMs = 10_000;
    expect(2 * heartbeatMs + config.PRESENCE_GATEWAY_GRACE_MS + config.PRESENCE_OFFLINE_DELAY_MS).to.be.below(30_000);
    expect(config.PRESENCE_WARMUP_MS).to.be.at.least(2 * heartbeatMs);
  });

  it('stops with a message naming every bad variable', () => {
    const bad = { PORT: 'eighty', AUTH_URL: 'ftp://auth', POST_RATE_PER_SEC: '0', TYPING_INTERVAL_MS: '-1' };
    for (const variable of Object.keys(bad)) expect(() => loadConfig(bad)).to.throw(ConfigError, `\n  ${variable}: `);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ POST_BURST: '' }).POST_BURST).to.equal(40);
  });
});
