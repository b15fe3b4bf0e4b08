import { ManagementClient } from '@warren/shared/management';
import { eventually, testConfig } from '@warren/shared/testing';
import { expect } from 'chai';
import { ChatHarness, call, startTestChatApi } from './support/chat-api-harness.ts';

describe('chat-api service', () => {
  let h: ChatHarness;
  before(async () => {
    h = await ChatHarness.start();
  });
  after(async () => {
    await h?.stop();
  });

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
    const error = await startTestChatApi(h.authUrl, { RABBITMQ_URL: 'amqp://chat:secret@127.0.0.1:1/' }).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error?.message).to.include('amqp://chat:***@127.0.0.1:1/').and.include('RABBITMQ_URL');
  });

  it('refuses to start, naming the URL, when the database cannot be reached', async () => {
    const error = await startTestChatApi(h.authUrl, { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/warren' }).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error?.message).to.include('postgres://postgres@127.0.0.1:1/warren').and.include('DATABASE_URL');
  });
});
