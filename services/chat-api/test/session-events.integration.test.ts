import { names } from '@warren/shared/amqp';
import { testConfig } from '@warren/shared/testing';
import type { ConsumeMessage } from 'amqplib';
import { expect } from 'chai';
import { type TestUser, useChatApi } from './support/chat-api-harness.ts';
import { bodyOf, Tap } from './support/tap.ts';

describe('chat-api session events', () => {
  // A long typing interval, so the throttle test does not depend on how fast requests are.
  const h = useChatApi({ TYPING_INTERVAL_MS: '60000' });
  const [alice, bob, carol] = h.users('alice', 'bob', 'carol');

  /** A public session of Alice's with a tap on its exchange. */
  const tapped = async (members: TestUser[] = []) => {
    const created = await h.api(alice).post('/api/sessions', {
      name: 'eventful',
      visibility: 'public',
      members: members.map((m) => m.username),
    });
    return { sessionId: created.body.id as string, tap: await Tap.open(names.sessionExchange(created.body.id)) };
  };
  const ofType = (type: string) => (message: ConsumeMessage) => message.properties.type === type;
  const expectEventProperties = (message: ConsumeMessage) => {
    expect(message.properties).to.include({
      userId: testConfig().users['chat-api'].name,
      contentType: 'application/json',
      deliveryMode: 1,
    });
    expect(message.properties.messageId).to.be.a('string');
  };
  /** Makes a session of Alice's with Bob while a tap listens on Bob's user exchange, then runs `check`. */
  const withBobListening = async (name: string, check: (sessionId: string, bobTap: Tap) => Promise<void>) => {
    const bobTap = await Tap.open(names.userExchange(bob.id), { declare: true });
    try {
      const created = await h.api(alice).post('/api/sessions', { name, members: [bob.username] });
      await check(created.body.id, bobTap);
    } finally {
      await bobTap.close();
    }
  };

  it('announces joins, renames, leaves and removals with the new version', async () => {
    const { sessionId, tap } = await tapped();
    try {
      await h.api(bob).post(`/api/sessions/${sessionId}/join`);
      const joined = await tap.waitFor(ofType('member.joined'));
      expectEventProperties(joined);
      expect(bodyOf(joined)).to.deep.equal({
        session_id: sessionId,
        user: { id: bob.id, username: bob.username },
        version: 1,
      });

      await h.api(alice).post(`/api/sessions/${sessionId}/members`, { username: carol.username });
      await tap.waitFor((m) => ofType('member.joined')(m) && bodyOf(m).user.id === carol.id);

      await h.api(alice).patch(`/api/sessions/${sessionId}`, { name: 'renamed', visibility: 'private' });
      expect(bodyOf(await tap.waitFor(ofType('session.updated')))).to.deep.equal({
        session_id: sessionId,
        name: 'renamed',
        visibility: 'private',
        version: 3,
      });

      await h.api(bob).post(`/api/sessions/${sessionId}/leave`);
      expect(bodyOf(await tap.waitFor(ofType('member.left')))).to.deep.equal({
        session_id: sessionId,
        user_id: bob.id,
        version: 4,
      });
      await h.api(alice).delete(`/api/sessions/${sessionId}/members/${carol.id}`);
      expect(bodyOf(await tap.waitFor((m) => ofType('member.left')(m) && bodyOf(m).user_id === carol.id))).to.include({
        version: 5,
      });
    } finally {
      await tap.close();
    }
  });

  it('tells the members added at creation that they joined', () =>
    withBobListening('surprise', async (sessionId, bobTap) => {
      const joined = await bobTap.waitFor(
        (m) => ofType('member.joined')(m) && m.fields.exchange === names.sessionExchange(sessionId),
      );
      expect(bodyOf(joined)).to.deep.equal({
        session_id: sessionId,
        user: { id: bob.id, username: bob.username },
        version: 0,
      });
    }));

  it('announces a deletion to the members before the exchange goes', () =>
    withBobListening('going', async (sessionId, bobTap) => {
      expect((await h.api(alice).delete(`/api/sessions/${sessionId}`)).status).to.equal(204);
      const deleted = await bobTap.waitFor(ofType('session.deleted'));
      expectEventProperties(deleted);
      expect(bodyOf(deleted)).to.deep.equal({ session_id: sessionId });
    }));

  it('announces a read marker that moved forward, and only then', async () => {
    const { sessionId, tap } = await tapped([bob]);
    try {
      const first = await h.say(alice, sessionId, 'one');
      const second = await h.say(alice, sessionId, 'two');
      expect((await h.api(bob).post(`/api/sessions/${sessionId}/read`, { message_id: second.id })).status).to.equal(
        204,
      );
      const read = await tap.waitFor(ofType('read'));
      expectEventProperties(read);
      expect(bodyOf(read)).to.deep.equal({ session_id: sessionId, user_id: bob.id, message_id: second.id });
      await h.api(bob).post(`/api/sessions/${sessionId}/read`, { message_id: first.id });
      expect((await tap.settle()).filter(ofType('read'))).to.have.length(1);
    } finally {
      await tap.close();
    }
  });

  it('announces typing with a short expiration, at most once per user and session per interval', async () => {
    const { sessionId, tap } = await tapped([bob]);
    try {
      const typing = () => h.api(bob).post(`/api/sessions/${sessionId}/typing`);
      expect((await typing()).status).to.equal(204);
      const event = await tap.waitFor(ofType('typing'));
      expectEventProperties(event);
      expect(event.properties.expiration).to.equal('5000');
      expect(bodyOf(event)).to.deep.equal({ session_id: sessionId, user: { id: bob.id, username: bob.username } });

      expect((await typing()).status).to.equal(204);
      expect((await typing()).status).to.equal(204);
      expect((await h.api(alice).post(`/api/sessions/${sessionId}/typing`)).status).to.equal(204);
      const settled = await tap.settle();
      expect(settled.filter(ofType('typing')).map((m) => bodyOf(m).user.id)).to.deep.equal([bob.id, alice.id]);
    } finally {
      await tap.close();
    }
  });
});
