import { expect } from 'chai';
import { createRegistry } from '../../src/http/index.ts';

describe('createRegistry', () => {
  it('labels every metric with the service and collects the process metrics', async () => {
    const registry = createRegistry('persister');
    const text = await registry.metrics();
    expect(text).to.contain('process_resident_memory_bytes{service="persister"}');
    expect(text).to.contain('nodejs_eventloop_lag_seconds{service="persister"}');
  });

  it('gives each service a registry of its own', async () => {
    const first = createRegistry('auth');
    const second = createRegistry('chat-api');
    expect(first).to.not.equal(second);
    expect(await second.metrics()).to.not.contain('service="auth"');
  });
});
