import { ConfigError } from '@warren/shared/config';
import { expect } from 'chai';
import { DEFAULT_ALLOWED_ORIGINS, loadConfig } from '../src/config.ts';

describe('ws-gateway config', () => {
  it('has the defaults of OPERATIONS.md, WEBSOCKET.md and docs/ws-gateway.md', () => {
    expect(loadConfig({})).to.deep.equal({
      PORT: 3003,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      RABBITMQ_URL: 'amqp://guest:guest@127.0.0.1:5672/',
      AUTH_URL: 'http://127.0.0.1:3001',
      JWT_ISSUER: 'warren-auth',
      JWT_AUDIENCE: 'warren',
      TRUSTED_PUBLISHERS: ['chat-api'],
      SHUTDOWN_TIMEOUT_MS: 10_000,
      TRUST_PROXY: 0,
      ALLOWED_ORIGINS: [...DEFAULT_ALLOWED_ORIGINS],
      AUTH_TIMEOUT_MS: 10_000,
      PING_INTERVAL_MS: 30_000,
      SLOW_CLIENT_BUFFER_BYTES: 1024 * 1024,
      MAX_FRAME_BYTES: 16 * 1024,
      MAX_CONNECTIONS_PER_USER: 20,
      PRESENCE_HEARTBEAT_MS: 10_000,
      PRESENCE_COALESCE_MS: 200,
      AUTH_AMQP_USER: 'auth',
      ENDED_LOGINS_KEEP_MS: 960_000,
      ENDED_LOGINS_MAX: 100_000,
    });
    expect(DEFAULT_ALLOWED_ORIGINS).to.include('http://localhost:8080');
  });

  it('reads comma-separated origins and trusted publishers', () => {
    const config = loadConfig({
      ALLOWED_ORIGINS: 'https://chat.example.com, http://localhost:3000',
      TRUSTED_PUBLISHERS: 'chat-api,importer',
    });
    expect(config.ALLOWED_ORIGINS).to.deep.equal(['https://chat.example.com', 'http://localhost:3000']);
    expect(config.TRUSTED_PUBLISHERS).to.deep.equal(['chat-api', 'importer']);
  });

  it('stops with a message naming every bad variable', () => {
    const bad: Record<string, string> = {
      ALLOWED_ORIGINS: 'https://chat.example.com/',
      AUTH_TIMEOUT_MS: '0',
      PING_INTERVAL_MS: 'often',
      SLOW_CLIENT_BUFFER_BYTES: '-1',
      MAX_FRAME_BYTES: '10',
      AUTH_URL: 'amqp://auth',
      PRESENCE_HEARTBEAT_MS: '50',
      PRESENCE_COALESCE_MS: '0',
      ENDED_LOGINS_MAX: '0',
    };
    for (const variable of Object.keys(bad)) expect(() => loadConfig(bad)).to.throw(ConfigError, `\n  ${variable}: `);
  });

  it('refuses an origin that is not one as browsers send it', () => {
    for (const origin of ['chat.example.com', 'https://Chat.example.com', 'https://chat.example.com:443', 'ftp://x']) {
      expect(() => loadConfig({ ALLOWED_ORIGINS: origin }), origin).to.throw(ConfigError);
    }
  });
});
