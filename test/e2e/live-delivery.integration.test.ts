import { expect } from 'chai';
import { type Frame, type SocketClient, useSockets } from '../support/socket-client.ts';
import { registerEach, type TestUser, UNLIMITED_POSTING, useWarren } from '../support/warren.ts';

/**
 * WEBSOCKET.md end to end, through the real services: chat-api publishes, membership is broker
 * topology, the gateway delivers, the persister stores. Absence is proven with a sentinel: chat-api
 * publishes on one channel, so a user's queue receives its messages in publish order, and a socket
 * that got the sentinel posted after message M would have got M before it.
 */
describe('live delivery end to end (WEBSOCKET.md)', () => {
  const warren = useWarren({ chatApi: UNLIMITED_POSTING });
  const connect = useSockets(() => warren.gatewayUrl);
  const post = async (user: TestUser, session: string, content: string): Promise<string> => {
    const answer = await warren.api(user, 'POST', `/api/sessions/${session}/messages`, { content });
    expect(answer.status, JSON.stringify(answer.body)).to.equal(202);
    return answer.body.message.id;
  };
  const eventFrame = (socket: SocketClient, event: string, match: (data: Frame) => boolean = () => true) =>
    socket.waitFor((frame) => frame.type === 'event' && frame.event === event && match(frame.data));

  it("delivers a message Alice posts to Bob and to Alice's other tabs, equal to what history returns", async () => {
    const [alice, bob] = await registerEach(warren, 'alice', 'bob');
    const session = await warren.createSession(alice, [bob]);
    const bobSocket = await connect(bob);
    const aliceTabs = [await connect(alice), await connect(alice)];

    const id = await post(alice, session, 'hello Bob');
    const frames = await Promise.all([bobSocket, ...aliceTabs].map((socket) => socket.message(id)));
    for (const frame of frames) expect(frame.session_id).to.equal(session);

    await warren.stored({ id });
    const history = await warren.api(bob, 'GET', `/api/sessions/${session}/messages`);
    const stored = history.body.messages.find((message: { id: string }) => message.id === id);
    expect(stored.author).to.deep.equal({ kind: 'user', id: alice.id, username: alice.username });
    for (const frame of frames) expect(frame.message).to.deep.equal(stored);
  });

  it('gives a non-member nothing, a member who left nothing more, and a member added later everything new', async () => {
    const [alice, bob, carol, dave] = await registerEach(warren, 'alice', 'bob', 'carol', 'dave');
    const session = await warren.createSession(alice, [bob]);
    // Each has a session of their own with Alice, for the sentinels.
    const sentinelSession = await warren.createSession(alice, [bob, carol, dave]);
    const [bobSocket, carolSocket, daveSocket] = [await connect(bob), await connect(carol), await connect(dave)];

    const first = await post(alice, session, 'members only');
    await bobSocket.message(first);
    const sentinel1 = await post(alice, sentinelSession, 'sentinel 1');
    await Promise.all([carolSocket, daveSocket].map((socket) => socket.message(sentinel1)));
    expect(carolSocket.hasMessage(first), 'Carol got a message of a session she is not in').to.equal(false);

    expect((await warren.api(bob, 'POST', `/api/sessions/${session}/leave`)).status).to.equal(204);
    const afterLeaving = await post(alice, session, 'Bob has gone');
    const sentinel2 = await post(alice, sentinelSession, 'sentinel 2');
    await bobSocket.message(sentinel2);
    expect(bobSocket.hasMessage(afterLeaving), 'Bob got a message after leaving').to.equal(false);

    const added = await warren.api(alice, 'POST', `/api/sessions/${session}/members`, { username: dave.username });
    expect(added.status).to.equal(200);
    const forDave = await post(alice, session, 'welcome Dave');
    await daveSocket.message(forDave);
    expect(daveSocket.hasMessage(first), 'Dave got a message from before he joined').to.equal(false);
  });

  it('delivers member.joined, member.left, read and typing events', async () => {
    const [alice, bob, carol] = await registerEach(warren, 'alice', 'bob', 'carol');
    const session = await warren.createSession(alice, [bob]);
    const bobSocket = await connect(bob);

    await warren.api(alice, 'POST', `/api/sessions/${session}/members`, { username: carol.username });
    const joined = await eventFrame(bobSocket, 'member.joined', (data) => data.user?.id === carol.id);
    expect(joined.session_id).to.equal(session);
    expect(joined.data).to.include({ session_id: session });
    expect(joined.data.user).to.deep.equal({ id: carol.id, username: carol.username });

    await warren.api(carol, 'POST', `/api/sessions/${session}/leave`);
    const left = await eventFrame(bobSocket, 'member.left', (data) => data.user_id === carol.id);
    expect(left.data.session_id).to.equal(session);

    const id = await post(alice, session, 'read me');
    await warren.stored({ id });
    expect((await warren.api(alice, 'POST', `/api/sessions/${session}/read`, { message_id: id })).status).to.equal(204);
    const read = await eventFrame(bobSocket, 'read', (data) => data.message_id === id);
    expect(read.data).to.deep.equal({ session_id: session, user_id: alice.id, message_id: id });

    expect((await warren.api(alice, 'POST', `/api/sessions/${session}/typing`)).status).to.equal(204);
    const typing = await eventFrame(bobSocket, 'typing', (data) => data.user?.id === alice.id);
    expect(typing.data).to.deep.equal({ session_id: session, user: { id: alice.id, username: alice.username } });
  });

  it('loses nothing across a reconnect: the gap is filled from history with `after`, each message once', async () => {
    const [alice, bob] = await registerEach(warren, 'alice', 'bob');
    const session = await warren.createSession(alice, [bob]);
    const shown = new Map<string, string>();
    const show = (message: { id: string; content: string }) => shown.set(message.id, message.content);

    // What the web client does: remember the newest message it has, per session.
    const first = await connect(bob);
    const before = await post(alice, session, 'message 0');
    show((await first.message(before)).message);
    await first.close();

    const missed: string[] = [];
    for (let i = 1; i <= 100; i += 1) missed.push(await post(alice, session, `message ${i}`));

    const again = await connect(bob);
    // Published after `ready`: arrives live.
    const live = await post(alice, session, 'message 101');
    show((await again.message(live)).message);
    // Published before `ready`: in history once the persister stored it (it stores in publish order,
    // so once the newest is stored, so is every message before it).
    await warren.stored({ id: live });
    const paged: { id: string; content: string }[] = [];
    let cursor = before;
    for (;;) {
      const page = await warren.api(bob, 'GET', `/api/sessions/${session}/messages?after=${cursor}&limit=100`);
      expect(page.status).to.equal(200);
      paged.push(...page.body.messages);
      if (!page.body.has_more) break;
      cursor = page.body.messages.at(-1).id;
    }
    for (const message of paged) show(message);

    // History after the remembered message: every later one, oldest first, none twice.
    expect(paged.map((message) => message.content)).to.deep.equal(
      Array.from({ length: 101 }, (_, i) => `message ${i + 1}`),
    );
    // What Bob's client shows: everything, each once (the live one and its history copy merged by id).
    expect([...shown.keys()].sort()).to.deep.equal([before, ...missed, live].sort());
  });
});
