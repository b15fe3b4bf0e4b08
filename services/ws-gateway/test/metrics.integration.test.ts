import { eventually } from '@warren/shared/testing';
import { expect } from 'chai';
import { useIssuer } from './support/auth.ts';
import { TestBroker } from './support/broker.ts';
import { TestClient } from './support/client.ts';
import { useGateway } from './support/gateway.ts';

// The dashboard's sockets and deliveries (docs/operations.md); the 4008 closes are counted in
// client-connection.integration.test.ts, where a slow client is made.
describe('ws-gateway metrics (docs/operations.md)', () => {
  const auth = useIssuer();
  const gateway = useGateway(auth);
  let broker: TestBroker;
  before(async () => {
    broker = await TestBroker.start();
  });
  after(async () => {
    await broker?.stop();
  });

  it('exports the default process and Node metrics, labelled with the service', async () => {
    const text = await (await fetch(`${gateway.httpUrl}/metrics`)).text();
    expect(text).to.match(/^process_cpu_seconds_total\{service="ws-gateway"\} /m);
    expect(text).to.match(/^nodejs_eventloop_lag_seconds\{service="ws-gateway"\} /m);
  });

  it('counts open sockets up and down, their ready frames and the messages delivered to them', async () => {
    const [alice, bob] = [auth.user('m_alice'), auth.user('m_bob')];
    const sockets = () => gateway.metric('warren_ws_connections');
    const frames = (type: string) => gateway.metric('warren_ws_frames_sent_total', { type });
    const [openBefore, readyBefore, messagesBefore] = [await sockets(), await frames('ready'), await frames('message')];

    const clients = [
      await TestClient.ready(gateway.wsUrl, alice.token),
      await TestClient.ready(gateway.wsUrl, bob.token),
    ];
    try {
      expect(await sockets()).to.equal(openBefore + 2);
      expect(await frames('ready')).to.equal(readyBefore + 2);
      const session = await broker.createSession([alice.id, bob.id]);
      const message = await broker.publishMessage(session, alice, 'counted twice');
      for (const client of clients) await client.message(message.id);
      expect(await frames('message')).to.equal(messagesBefore + 2);
    } finally {
      await Promise.all(clients.map((client) => client.close()));
    }
    await eventually(async () => (await sockets()) === openBefore);
  });
});
