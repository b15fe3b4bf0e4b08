import { ManagementClient } from '@warren/shared/management';
import { eventually, rejectionOf, testConfig } from '@warren/shared/testing';
import { expect } from 'chai';
import { call, startTestChatApi, useChatApi } from './support/chat-api-harness.ts';

describe('chat-api service', () => {
  const h = useChatApi();

  it('names its connection `chat-api` in the management UI', async () => {
    const management = new ManagementClient(testConfig().managementUrl);
    const mine = await eventually(async () => {
      const connections = await management.connections(testConfig().vhost);
      const found = connections.filter((c) => c.user === testConfig().users['chat-api'].name);
      return found.length > 0 && found;
    });
    expect(mine.map((c) => c.client_properties?.connection_name)).to.include('chat-api');
  });

  it('is ready while its broker and database work, and serves metrics', async () => {
    const ready = await call(`${h.baseUrl}/readyz`, 'GET', undefined);
    expect(ready.status).to.equal(200);
    expect(ready.body.checks).to.deep.equal({ rabbitmq: 'ok', database: 'ok' });
    const metrics = await fetch(`${h.baseUrl}/metrics`);
    const text = await metrics.text();
    expect(text).to.include('warren_amqp_publishes_total').and.include('warren_chat_api_event_failures_total');
  });

  it('refuses to start, naming the URL, when the broker cannot be reached', async () => {
    const error = await rejectionOf(
      startTestChatApi(h.issuer.url, { RABBITMQ_URL: 'amqp://chat:secret@127.0.0.1:1/' }),
    );
    expect(error.message).to.include('amqp://chat:***@127.0.0.1:1/').and.include('RABBITMQ_URL');
  });

  it('refuses to start, naming the URL, when the database cannot be reached', async () => {
    const error = await rejectionOf(
      startTestChatApi(h.issuer.url, { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/warren' }),
    );
    expect(error.message).to.include('postgres://postgres@127.0.0.1:1/warren').and.include('DATABASE_URL');
  });
});
