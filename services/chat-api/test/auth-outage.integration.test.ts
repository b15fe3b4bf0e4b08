import { expect } from 'chai';
import { closedPort } from '../../../shared/test/support/closed-port.ts';
import type { ChatApiService } from '../src/index.ts';
import { ChatHarness, call, startTestChatApi } from './support/chat-api-harness.ts';

describe('chat-api while auth cannot hand out its signing keys', () => {
  let harness: ChatHarness;
  let blind: ChatApiService;

  before(async () => {
    harness = await ChatHarness.start();
    // A second chat-api whose AUTH_URL answers nothing: it has never seen a key.
    blind = await startTestChatApi(`http://127.0.0.1:${await closedPort()}`);
  });
  after(async () => {
    await blind?.stop();
    await harness?.stop();
  });

  it('answers 503 SIGNING_KEYS_UNAVAILABLE, not 401, to a good token: an outage, not a bad token', async () => {
    const user = await harness.register('outage', { known: false });
    const response = await call(`http://127.0.0.1:${blind.port}/api/sessions`, 'GET', user.token);
    expect(response.status).to.equal(503);
    expect(response.headers.get('content-type')).to.match(/^application\/problem\+json/);
    expect(response.headers.get('www-authenticate')).to.equal(null);
    expect(response.body).to.include({ status: 503, code: 'SIGNING_KEYS_UNAVAILABLE' });

    const answered = await harness.api(user).get('/api/sessions');
    expect(answered.status, 'the same token, where auth is reachable').to.equal(200);
  });
});
