import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { exchanges, names } from '@warren/shared/amqp';
import { ManagementClient } from '@warren/shared/management';
import { eventually, testConfig } from '@warren/shared/testing';
import { expect } from 'chai';
import { asAdmin, exchangeExists } from './support/broker-admin.ts';
import { useChatApi } from './support/chat-api-harness.ts';
import { Tap } from './support/tap.ts';

describe('chat-api session topology', () => {
  const h = useChatApi();
  const [alice, bob, carol] = h.users('alice', 'bob', 'carol');

  const newSession = async (body: object) => {
    const created = await h.api(alice).post('/api/sessions', body);
    expect(created.status).to.equal(201);
    return created.body;
  };
  const memberIds = async (sessionId: string): Promise<string[]> =>
    h.db.withSchema('chat').from('members').where({ session_id: sessionId }).orderBy('user_id').pluck('user_id');
  /** Posts as Alice and waits until the message reaches Bob's user exchange. */
  const reachesBob = async (sessionId: string, content: string) => {
    const bobTap = await Tap.open(names.userExchange(bob.id));
    try {
      const posted = await h.api(alice).post(`/api/sessions/${sessionId}/messages`, { content });
      expect(posted.status).to.equal(202);
      await bobTap.waitFor((m) => m.properties.messageId === posted.body.message.id);
    } finally {
      await bobTap.close();
    }
  };

  describe('when the broker step of a membership change fails', () => {
    it('fails the request with 503 and keeps the database as it was', async () => {
      const session = await newSession({ name: 'fragile', visibility: 'public', members: [bob.username] });
      await asAdmin((channel) => channel.deleteExchange(names.sessionExchange(session.id)));
      const before = await memberIds(session.id);

      for (const answer of [
        await h.api(alice).post(`/api/sessions/${session.id}/members`, { username: carol.username }),
        await h.api(carol).post(`/api/sessions/${session.id}/join`),
      ]) {
        expect(answer.status).to.equal(503);
        expect(answer.body.code).to.equal('BROKER_UNAVAILABLE');
      }
      expect(await memberIds(session.id)).to.deep.equal(before);
      const detail = await h.api(alice).get(`/api/sessions/${session.id}`);
      expect(detail.body).to.include({ member_count: 2, version: 0 });

      // Once the broker is whole again, the same change goes through.
      await h.chat.syncTopology();
      expect((await h.api(carol).post(`/api/sessions/${session.id}/join`)).status).to.equal(200);
    });

    it('keeps a session whose exchange could not be made out of the database', async () => {
      // A member's personal exchange declared as another type makes chat-api's declaration of it fail.
      const stranger = await h.register('stranger');
      await asAdmin((channel) => channel.assertExchange(names.userExchange(stranger.id), 'topic', { durable: true }));
      try {
        const refused = await h.api(alice).post('/api/sessions', { name: 'never', members: [stranger.username] });
        expect(refused.status).to.equal(503);
        const mine = await h.api(alice).get('/api/sessions');
        expect(mine.body.sessions.map((s: { name: string }) => s.name)).not.to.include('never');
      } finally {
        await asAdmin((channel) => channel.deleteExchange(names.userExchange(stranger.id)));
      }
    });
  });

  describe('rebuilding from PostgreSQL', () => {
    it('restores delivery after the broker lost the session and user exchanges', async () => {
      const session = await newSession({ name: 'amnesia', members: [bob.username] });
      await asAdmin(async (channel) => {
        await channel.deleteExchange(names.sessionExchange(session.id));
        await channel.deleteExchange(names.userExchange(bob.id));
      });
      expect((await h.api(alice).post(`/api/sessions/${session.id}/messages`, { content: 'lost' })).status).to.equal(
        503,
      );

      const result = await h.chat.syncTopology();
      expect(result.sessions).to.be.at.least(1);
      expect(await exchangeExists(names.userExchange(bob.id))).to.equal(true);
      await reachesBob(session.id, 'found');
    });

    it('restores bindings an operator deleted, with `npm run topology:sync`', async () => {
      const session = await newSession({ name: 'unbound', members: [bob.username] });
      await asAdmin(async (channel) => {
        await channel.unbindExchange(names.userExchange(bob.id), names.sessionExchange(session.id), '');
        await channel.unbindExchange(exchanges.messages.name, names.sessionExchange(session.id), '');
      });
      const test = testConfig();
      const command = spawn('npm', ['run', '--silent', 'topology:sync'], {
        cwd: join(import.meta.dirname, '..'),
        env: {
          ...process.env,
          RABBITMQ_URL: test.users['chat-api'].url,
          DATABASE_URL: test.databaseUrl,
          LOG_LEVEL: 'silent',
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let output = '';
      command.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      const [code] = await once(command, 'exit');
      expect(code, output).to.equal(0);
      expect(output).to.match(/topology:sync: \d+ session exchanges and \d+ member bindings declared/);

      await reachesBob(session.id, 'rebound');
    });

    it('rebuilds after chat-api reconnects to the broker', async () => {
      const session = await newSession({ name: 'reconnect', members: [bob.username] });
      await asAdmin((channel) => channel.deleteExchange(names.sessionExchange(session.id)));
      const management = new ManagementClient(testConfig().managementUrl);
      const synced = new Promise((resolve) => h.chat.once('topology-synced', resolve));
      const mine = await eventually(async () => {
        const connections = await management.connections(testConfig().vhost);
        const found = connections.filter((c) => c.user === testConfig().users['chat-api'].name);
        return found.length > 0 && found;
      });
      for (const connection of mine) await management.closeConnection(connection.name, 'test: broker restart');
      await synced;
      expect(await exchangeExists(names.sessionExchange(session.id))).to.equal(true);
    });
  });
});
