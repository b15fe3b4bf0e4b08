import { expect } from 'chai';
import { call, startTestChatApi, useChatApi } from './support/chat-api-harness.ts';

describe('chat-api while auth cannot hand out its signing keys', () => {
  const h = useChatApi();
  const [alice] = h.users('outage');

  it('answers 503 SIGNING_KEYS_UNAVAILABLE, not 401, to a good token: an outage, not a bad token', async () => {
    await h.issuer.close();
    try {
      // A second chat-api started during the outage: it has never seen a key.
      const blind = await startTestChatApi(h.issuer.url);
      try {
        const response = await call(`http://127.0.0.1:${blind.port}/api/sessions`, 'GET', alice.token);
        expect(response.status).to.equal(503);
        expect(response.headers.get('content-type')).to.match(/^application\/problem\+json/);
        expect(response.headers.get('www-authenticate')).to.equal(null);
        expect(response.body).to.include({ status: 503, code: 'SIGNING_KEYS_UNAVAILABLE' });
      } finally {
        await blind.stop();
      }
      const answered = await h.api(alice).get('/api/sessions');
      expect(answered.status, 'the same token, where the keys were fetched before the outage').to.equal(200);
    } finally {
      await h.issuer.listen();
    }
  });
});
