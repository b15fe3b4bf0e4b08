import { names } from '@warren/shared/amqp';
import { expect } from 'chai';
import { exchangeExists } from './support/broker-admin.ts';
import { type TestUser, useChatApi } from './support/chat-api-harness.ts';

describe('chat-api direct sessions', () => {
  const h = useChatApi();

  const open = async (caller: TestUser, peer: TestUser) => {
    const opened = await h.api(caller).post('/api/direct', { username: peer.username });
    expect(opened.status, JSON.stringify(opened.body)).to.equal(200);
    return opened.body;
  };

  it('is the same session whoever asks, named after the other member, without an owner', async () => {
    const [alice, bob] = await Promise.all([h.register('alice'), h.register('bob')]);
    const fromAlice = await open(alice, bob);
    const fromBob = await open(bob, alice);
    expect(fromBob.id).to.equal(fromAlice.id);
    expect(fromAlice).to.include({ kind: 'direct', name: bob.username, visibility: 'private', owner_id: null });
    expect(fromBob.name).to.equal(alice.username);
    expect(fromAlice.member_count).to.equal(2);
    expect(await exchangeExists(names.sessionExchange(fromAlice.id))).to.equal(true);
    const detail = await h.api(bob).get(`/api/sessions/${fromAlice.id}`);
    expect(detail.body.members.map((m: { role: string }) => m.role)).to.deep.equal(['member', 'member']);
  });

  it('is one session when both ask at once', async () => {
    const [alice, bob] = await Promise.all([h.register('alice'), h.register('bob')]);
    const opened = await Promise.all([open(alice, bob), open(bob, alice), open(alice, bob), open(bob, alice)]);
    expect(new Set(opened.map((session) => session.id)).size).to.equal(1);
    const [session] = opened;
    const rows = await h.db.withSchema('chat').from('members').where({ session_id: session.id });
    expect(rows).to.have.length(2);
  });

  it('refuses more members (409), and has no owner to rename or delete it (403)', async () => {
    const [alice, bob, carol] = await Promise.all([h.register('alice'), h.register('bob'), h.register('carol')]);
    const session = await open(alice, bob);
    const added = await h.api(alice).post(`/api/sessions/${session.id}/members`, { username: carol.username });
    expect(added.status).to.equal(409);
    expect(added.body.code).to.equal('DIRECT_SESSION');
    expect((await h.api(alice).patch(`/api/sessions/${session.id}`, { name: 'ours' })).status).to.equal(403);
    expect((await h.api(alice).delete(`/api/sessions/${session.id}`)).status).to.equal(403);
    expect((await h.api(carol).get(`/api/sessions/${session.id}`)).status).to.equal(404);
  });

  it('takes back whoever left when it is opened again, keeping its name and history', async () => {
    const [alice, bob] = await Promise.all([h.register('alice'), h.register('bob')]);
    const session = await open(alice, bob);
    const said = await h.say(bob, session.id, 'are you there?');
    expect((await h.api(alice).post(`/api/sessions/${session.id}/leave`)).status).to.equal(204);
    expect((await h.api(alice).get(`/api/sessions/${session.id}`)).status).to.equal(404);

    const reopened = await open(bob, alice);
    expect(reopened).to.include({ id: session.id, member_count: 2, name: alice.username });
    const history = await h.api(alice).get(`/api/sessions/${session.id}/messages`);
    expect(history.body.messages.map((m: { id: string }) => m.id)).to.deep.equal([said.id]);
  });

  it('answers 404 for an unknown user', async () => {
    const alice = await h.register('alice');
    const answer = await h.api(alice).post('/api/direct', { username: 'no_such_user_here' });
    expect(answer.status).to.equal(404);
    expect(answer.body.code).to.equal('USER_NOT_FOUND');
  });
});
