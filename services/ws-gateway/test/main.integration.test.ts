import { expect } from 'chai';
import { useIssuer } from './support/auth.ts';
import { spawnGateway } from './support/child-gateway.ts';
import { TestClient } from './support/client.ts';

describe('main (the ws-gateway process)', () => {
  const auth = useIssuer();

  it('closes every WebSocket with 1001 on SIGTERM and exits 0 (before its 10 s shutdown timeout)', async () => {
    const gateway = await spawnGateway(auth.url);
    const user = auth.user('sigterm');
    const clients = [
      await TestClient.ready(gateway.wsUrl, user.token),
      await TestClient.ready(gateway.wsUrl, user.token),
      // Not authenticated yet: closed the same way.
      await TestClient.open(gateway.wsUrl),
    ];
    gateway.process.kill('SIGTERM');
    for (const client of clients) {
      expect(await client.closed).to.deep.equal({ code: 1001, reason: 'the gateway is shutting down' });
    }
    expect(await gateway.exited).to.equal(0);
  });

  it('stops at once, naming the variable, on a bad configuration', async () => {
    const gateway = spawnGateway(auth.url, { ALLOWED_ORIGINS: 'https://chat.example.com/path' });
    const error = await gateway.then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).to.include('exited (1)').and.include('ALLOWED_ORIGINS');
  });

  it('stops at once, naming the URL, when the broker cannot be reached', async () => {
    const error = await spawnGateway(auth.url, { RABBITMQ_URL: 'amqp://warren:secret@127.0.0.1:1/' }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message)
      .to.include('exited (1)')
      .and.include('cannot connect to RabbitMQ at amqp://warren:***@127.0.0.1:1/');
  });
});
