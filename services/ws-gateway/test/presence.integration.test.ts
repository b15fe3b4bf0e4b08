import { once } from 'node:events';
import { eventKeys } from '@warren/shared/amqp';
import { ManagementClient } from '@warren/shared/management';
import { eventually, testConfig } from '@warren/shared/testing';
import { expect } from 'chai';
import { useIssuer } from './support/auth.ts';
import { TestClient } from './support/client.ts';
import { startTestGateway, type TestGateway, useGateway } from './support/gateway.ts';
import { type PresenceTap, usePresenceTap } from './support/presence.ts';

/** No heartbeat during a test: only the first one, sent at start. */
const QUIET = { PRESENCE_HEARTBEAT_MS: '600000' };

/** The gateway's side of a socket closed (its `closed` event comes a moment after the client's). */
function closedOnGateway(gateway: TestGateway, userId: string): Promise<unknown> {
  return new Promise((resolve) => {
    const onClosed = (closed: { userId: string | undefined }) => {
      if (closed.userId !== userId) return;
      gateway.service.gateway.off('closed', onClosed);
      resolve(closed);
    };
    gateway.service.gateway.on('closed', onClosed);
  });
}

/** The `changes` reports of `instance` heard so far that name `userId`. */
function changesNaming(tap: PresenceTap, instance: string, userId: string) {
  return tap
    .reports(instance, 'changes')
    .filter(({ report }) => report.online.includes(userId) || report.offline.includes(userId));
}

describe('ws-gateway presence reports', () => {
  const auth = useIssuer();
  const tap = usePresenceTap();

  describe('changes', () => {
    const gateway = useGateway(auth, QUIET);

    it("reports a user's first socket, not their second, and their last one's close", async () => {
      const instance = gateway.service.instanceId;
      const [alice, marker, marker2] = [auth.user('alice'), auth.user('marker'), auth.user('marker')];
      const tab1 = await TestClient.ready(gateway.wsUrl, alice.token);
      const online = await tap.next(instance, (report) => report.online.includes(alice.id));
      expect(online.message.fields.routingKey).to.equal(eventKeys.presence(instance));
      expect(online.message.properties.userId).to.equal(testConfig().users['ws-gateway'].name);
      expect(online.message.properties.contentType).to.equal('application/json');
      expect(online.message.properties.deliveryMode).to.not.equal(2);
      expect(online.report).to.deep.equal({
        instance,
        kind: 'changes',
        online: [alice.id],
        offline: [],
        at: online.report.at,
        heartbeat_ms: 600_000,
      });
      expect(new Date(online.report.at).toISOString()).to.equal(online.report.at);

      // A second socket, then a marker user: a report of alice's would come no later than the marker's.
      const tab2 = await TestClient.ready(gateway.wsUrl, alice.token);
      const markerClient = await TestClient.ready(gateway.wsUrl, marker.token);
      await tap.next(instance, (report) => report.online.includes(marker.id));
      expect(changesNaming(tap, instance, alice.id)).to.have.length(1);

      // Closing one of two sockets is no news either.
      const firstClosed = closedOnGateway(gateway, alice.id);
      await tab1.close();
      await firstClosed;
      const marker2Client = await TestClient.ready(gateway.wsUrl, marker2.token);
      await tap.next(instance, (report) => report.online.includes(marker2.id));
      expect(changesNaming(tap, instance, alice.id)).to.have.length(1);

      await tab2.close();
      const offline = await tap.next(instance, (report) => report.offline.includes(alice.id));
      expect(offline.report).to.deep.include({ instance, kind: 'changes', online: [], offline: [alice.id] });
      expect(changesNaming(tap, instance, alice.id)).to.have.length(2);
      await Promise.all([markerClient.close(), marker2Client.close()]);
      await eventually(
        async () =>
          (await gateway.metric('warren_ws_presence_reports_total', { kind: 'changes', result: 'sent' })) >= 4,
      );
    });
  });

  describe('a long coalescing window', () => {
    // A window long enough for a close and a reconnect on a busy machine.
    const gateway = useGateway(auth, { ...QUIET, PRESENCE_COALESCE_MS: '3000' });

    it('reports nothing of a close and reconnect within it', async () => {
      const instance = gateway.service.instanceId;
      const [dave, marker] = [auth.user('dave'), auth.user('marker')];
      const first = await TestClient.ready(gateway.wsUrl, dave.token);
      await tap.next(instance, (report) => report.online.includes(dave.id));

      const closed = closedOnGateway(gateway, dave.id);
      await first.close();
      await closed;
      const again = await TestClient.ready(gateway.wsUrl, dave.token);
      const markerClient = await TestClient.ready(gateway.wsUrl, marker.token);
      const markerReport = await tap.next(instance, (report) => report.online.includes(marker.id));
      expect(markerReport.report).to.deep.include({ online: [marker.id], offline: [] });
      expect(changesNaming(tap, instance, dave.id)).to.have.length(1);
      await Promise.all([again.close(), markerClient.close()]);
    });

    it('coalesces a burst of connects into a few reports', async () => {
      const instance = gateway.service.instanceId;
      const users = Array.from({ length: 50 }, () => auth.user('burst'));
      const heard = tap.reports(instance).length;
      const clients = await Promise.all(users.map((user) => TestClient.ready(gateway.wsUrl, user.token)));
      const ids = new Set(users.map((user) => user.id));
      await eventually(() => {
        const named = tap
          .reports(instance, 'changes')
          .flatMap(({ report }) => report.online)
          .filter((id) => ids.has(id));
        return named.length === ids.size;
      });
      const reports = tap.reports(instance).slice(heard);
      // The connects took a window or two, not one report per socket.
      expect(reports.length).to.be.below(users.length / 5);
      await Promise.all(clients.map((client) => client.close()));
    });
  });

  describe('heartbeats', () => {
    const gateway = useGateway(auth, { PRESENCE_HEARTBEAT_MS: '300' });

    it('carry every user held, every PRESENCE_HEARTBEAT_MS', async () => {
      const instance = gateway.service.instanceId;
      const [alice, bob] = [auth.user('alice'), auth.user('bob')];
      const clients = [
        await TestClient.ready(gateway.wsUrl, alice.token),
        await TestClient.ready(gateway.wsUrl, alice.token),
        await TestClient.ready(gateway.wsUrl, bob.token),
      ];
      const expected = [alice.id, bob.id].sort();
      const heard = tap.reports(instance).length;
      const beat = await tap.next(
        instance,
        (report) => report.kind === 'heartbeat' && [...report.online].sort().join() === expected.join(),
        heard,
      );
      expect(beat.report).to.deep.include({ kind: 'heartbeat', offline: [], heartbeat_ms: 300 });
      expect(beat.report.online).to.have.length(2);

      await Promise.all(clients.map((client) => client.close()));
      await tap.next(instance, (report) => report.kind === 'heartbeat' && report.online.length === 0);
    });
  });

  describe('two instances', () => {
    const first = useGateway(auth, QUIET);
    const second = useGateway(auth, QUIET);

    it('report under their own instance ids', async () => {
      const [one, two] = [first.service.instanceId, second.service.instanceId];
      expect(one).to.not.equal(two);
      for (const id of [one, two]) expect(id).to.match(/^[0-9a-f-]{36}$/);
      const [alice, bob] = [auth.user('alice'), auth.user('bob')];
      const clients = [
        await TestClient.ready(first.wsUrl, alice.token),
        await TestClient.ready(second.wsUrl, bob.token),
        await TestClient.ready(second.wsUrl, alice.token),
      ];
      const fromOne = await tap.next(one, (report) => report.online.includes(alice.id));
      const fromTwo = await tap.next(two, (report) => report.online.includes(bob.id));
      await tap.next(two, (report) => report.online.includes(alice.id));
      expect(fromOne.message.fields.routingKey).to.equal(eventKeys.presence(one));
      expect(fromTwo.message.fields.routingKey).to.equal(eventKeys.presence(two));
      expect(tap.reports(one).flatMap(({ report }) => report.online)).to.not.include(bob.id);

      // Alice leaves the second instance: only it reports her gone.
      await clients[2]?.close();
      await tap.next(two, (report) => report.offline.includes(alice.id));
      await Promise.all(clients.map((client) => client.close()));
      await tap.settle();
      expect(tap.reports(one).flatMap(({ report }) => report.offline)).to.not.include(bob.id);
    });
  });

  describe('stopping', () => {
    it('says goodbye, and reports no closes after it', async () => {
      const gateway = await startTestGateway(auth.url, QUIET);
      const instance = gateway.service.instanceId;
      const alice = auth.user('alice');
      const client = await TestClient.ready(gateway.wsUrl, alice.token);
      await tap.next(instance, (report) => report.online.includes(alice.id));
      await gateway.stop();
      expect((await client.closed).code).to.equal(1001);
      const goodbye = await tap.next(instance, (report) => report.kind === 'goodbye');
      expect(goodbye.report).to.deep.include({ instance, kind: 'goodbye', online: [], offline: [] });
      await tap.settle();
      const reports = tap.reports(instance);
      expect(reports.at(-1)?.report.kind).to.equal('goodbye');
      expect(reports.flatMap(({ report }) => report.offline)).to.not.include(alice.id);
    });
  });

  describe('after a broker reconnect', () => {
    const gateway = useGateway(auth, QUIET);

    it('sends a heartbeat at once', async () => {
      const instance = gateway.service.instanceId;
      const alice = auth.user('alice');
      const client = await TestClient.ready(gateway.wsUrl, alice.token);
      await tap.next(instance, (report) => report.online.includes(alice.id));
      expect(tap.reports(instance, 'heartbeat')).to.have.length(1);
      const heard = tap.reports(instance).length;

      const management = new ManagementClient(testConfig().managementUrl);
      const reconnected = once(gateway.service.amqp, 'connected');
      const connections = await eventually(async () => {
        const all = await management.connections(testConfig().vhost);
        const mine = all.filter((c) => c.client_properties?.connection_name === 'ws-gateway');
        return mine.length > 0 && mine;
      });
      for (const connection of connections) await management.closeConnection(connection.name, 'test: reconnect');
      expect((await client.closed).code).to.equal(1011);
      await reconnected;
      // Sockets went with the broker connection (1011): the set it reports is empty.
      const beat = await tap.next(instance, (report) => report.kind === 'heartbeat', heard);
      expect(beat.report.online).to.deep.equal([]);
    });
  });
});
