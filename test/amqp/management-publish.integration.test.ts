import { names } from '@warren/shared/amqp';
import { type DecodedMessage, decodeDelivery } from '@warren/shared/envelope';
import { ManagementApiError, ManagementClient } from '@warren/shared/management';
import { AmqpTap, testConfig } from '@warren/shared/testing';
import { expect } from 'chai';
import { SocketClient } from '../support/socket-client.ts';
import { useWarren } from '../support/warren.ts';

const MAINTENANCE = 'Maintenance at 18:00';

/** The management API's publish endpoint, as the UI's "Publish message" form calls it. */
function publishPath(vhost: string, exchange: string): string {
  return `/exchanges/${encodeURIComponent(vhost)}/${encodeURIComponent(exchange)}/publish`;
}

describe('publishing from the RabbitMQ management UI / HTTP API', () => {
  const warren = useWarren();
  const management = () => new ManagementClient(testConfig().managementUrl);

  it('plain text with no properties is stored as a system message and delivered live to members', async () => {
    const owner = await warren.register('owner');
    const member = await warren.register('member');
    const sessionId = await warren.createSession(owner, [member]);
    const exchange = names.sessionExchange(sessionId);
    const tap = await AmqpTap.open(names.userExchange(member.id), { url: warren.urls.admin });
    const socket = await SocketClient.ready(warren.gatewayUrl, member.token);
    try {
      const answer = await management().request('POST', publishPath(warren.vhost, exchange), {
        properties: {},
        routing_key: '',
        payload: MAINTENANCE,
        payload_encoding: 'string',
      });
      expect(answer).to.deep.equal({ routed: true });

      // Live on the member's personal exchange, where each of their gateway connections' queues is bound.
      const delivery = await tap.waitFor((message) => message.content.toString('utf8') === MAINTENANCE);
      expect(delivery.fields.exchange).to.equal(exchange);
      expect(delivery.properties.userId).to.equal(undefined);
      const decoded = decodeDelivery(delivery, {
        trustedPublishers: [testConfig().users['chat-api'].name],
        receivedAt: new Date(),
      });
      expect(decoded).to.deep.include({ ok: true, kind: 'message', sessionId });
      const { message } = decoded as DecodedMessage;
      expect(message).to.deep.include({ author: null, content: MAINTENANCE, type: 'text', extra: null });

      // Stored by the real persister, and in history as chat-api serves it.
      expect(await warren.stored({ id: message.id })).to.deep.include({
        session_id: sessionId,
        author_kind: 'system',
        author_id: null,
        author_name: null,
        content: MAINTENANCE,
      });
      const history = await warren.api(member, 'GET', `/api/sessions/${sessionId}/messages`);
      expect(history.status).to.equal(200);
      expect(history.body.messages[0]).to.deep.include({ id: message.id, author: null, content: MAINTENANCE });

      // On a real WebSocket, the same message (each consumer stamps created_at when it received it).
      const frame = await socket.waitFor((each) => each.type === 'message' && each.message.id === message.id);
      expect(frame.session_id).to.equal(sessionId);
      expect(frame.message).to.deep.include({ id: message.id, author: null, content: MAINTENANCE, type: 'text' });
    } finally {
      await socket.close();
      await tap.close();
    }
  });

  it("refuses a user_id that is not the management user's own, as over AMQP", async () => {
    const owner = await warren.register('owner');
    const sessionId = await warren.createSession(owner);
    const request = management().request('POST', publishPath(warren.vhost, names.sessionExchange(sessionId)), {
      properties: { user_id: testConfig().users['chat-api'].name },
      routing_key: '',
      payload: 'I am chat-api',
      payload_encoding: 'string',
    });
    const error = await request.then(
      () => expect.fail('the broker accepted a user_id of another user'),
      (failure: unknown) => failure,
    );
    expect(error).to.be.instanceOf(ManagementApiError);
    expect((error as ManagementApiError).status).to.equal(400);
    expect((error as ManagementApiError).message).to.include('PRECONDITION_FAILED');
  });
});
