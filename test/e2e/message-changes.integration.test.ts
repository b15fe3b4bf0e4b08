import { names } from '@warren/shared/amqp';
import { encodeSessionEvent, newChangeId } from '@warren/shared/envelope';
import { eventually, testConfig } from '@warren/shared/testing';
import amqp from 'amqplib';
import { expect } from 'chai';
import { type Frame, type SocketClient, useSockets } from '../support/socket-client.ts';
import { registerEach, type TestUser, useWarren } from '../support/warren.ts';

// biome-ignore lint/suspicious/noExplicitAny: tests inspect answers field by field.
type Json = Record<string, any>;

/**
 * HTTP.md's "Message changes, reactions, threads and search" through the real services: chat-api
 * publishes each change to the session exchange, the ws-gateway delivers it as an event frame, the
 * persister applies it to history, also when it was down while the changes were made.
 */
describe('message changes end to end (edits, deletes, reactions, threads)', () => {
  const warren = useWarren();
  const connect = useSockets(() => warren.gatewayUrl);

  const path = (session: string, rest = '') => `/api/sessions/${session}/messages${rest}`;
  const post = async (user: TestUser, session: string, body: Json): Promise<Json> => {
    const answer = await warren.api(user, 'POST', path(session), body);
    expect(answer.status, JSON.stringify(answer.body)).to.equal(202);
    return answer.body.message;
  };
  const eventFrame = (socket: SocketClient, event: string, match: (data: Frame) => boolean) =>
    socket.waitFor((frame) => frame.type === 'event' && frame.event === event && match(frame.data), {
      what: `${event} frame`,
    });
  const historyOf = async (user: TestUser, session: string): Promise<Json[]> => {
    const answer = await warren.api(user, 'GET', path(session));
    expect(answer.status).to.equal(200);
    return answer.body.messages;
  };
  const byId = (messages: Json[], id: string) => messages.find((message) => message.id === id);

  it('reaches members live and is in history, also what was changed while the persister was down', async () => {
    const [alice, bob] = await registerEach(warren, 'alice', 'bob');
    const session = await warren.createSession(alice, [bob]);
    const [aliceSocket, bobSocket] = [await connect(alice), await connect(bob)];

    const root = await post(alice, session, { content: 'first draft' });
    const doomed = await post(alice, session, { content: 'regrettable' });
    await bobSocket.message(doomed.id);

    const edited = await warren.api(alice, 'PATCH', path(session, `/${root.id}`), { content: 'final text' });
    expect(edited.status, JSON.stringify(edited.body)).to.equal(202);
    expect(edited.body.message).to.deep.include({ id: root.id, content: 'final text' });
    const editFrame = await eventFrame(bobSocket, 'message.edited', (data) => data.message_id === root.id);
    expect(editFrame.data).to.deep.include({ session_id: session, content: 'final text' });
    expect(editFrame.data.edited_at).to.equal(edited.body.message.edited_at);

    const thumbs = encodeURIComponent('👍');
    expect((await warren.api(bob, 'PUT', path(session, `/${root.id}/reactions/${thumbs}`))).status).to.equal(204);
    const reacted = await eventFrame(aliceSocket, 'reaction.added', (data) => data.message_id === root.id);
    expect(reacted.data).to.deep.include({ emoji: '👍', user: { id: bob.id, username: bob.username } });

    const reply = await post(bob, session, { content: 'a reply', reply_to: root.id });
    expect(reply.reply_to).to.equal(root.id);
    const replyFrame = await aliceSocket.message(reply.id);
    expect(replyFrame.message.reply_to).to.equal(root.id);
    // A reply to the reply joins the root's thread.
    const nested = await post(alice, session, { content: 'a reply to the reply', reply_to: reply.id });
    expect(nested.reply_to).to.equal(root.id);

    expect((await warren.api(alice, 'DELETE', path(session, `/${doomed.id}`))).status).to.equal(202);
    await eventFrame(bobSocket, 'message.deleted', (data) => data.message_id === doomed.id);

    await eventually(async () => {
      const history = await historyOf(bob, session);
      return byId(history, root.id)?.reply_count === 2 && byId(history, doomed.id)?.deleted_at !== null;
    });
    const history = await historyOf(bob, session);
    expect(byId(history, root.id)).to.deep.include({
      content: 'final text',
      edited_at: edited.body.message.edited_at,
      reply_count: 2,
      reactions: [{ emoji: '👍', count: 1, me: true }],
    });
    expect(byId(history, doomed.id)).to.deep.include({ content: '', extra: {}, reactions: [] });
    const thread = await warren.api(alice, 'GET', path(session, `/${root.id}/thread`));
    expect(thread.status).to.equal(200);
    expect(thread.body.root.id).to.equal(root.id);
    expect(thread.body.replies.map((message: Json) => message.id)).to.deep.equal([reply.id, nested.id]);
    expect(byId(await historyOf(alice, session), root.id)?.reactions, 'me is the caller').to.deep.equal([
      { emoji: '👍', count: 1, me: false },
    ]);

    // Changed while no persister runs: the changes wait in its queue and are applied once one starts.
    await warren.restartPersister(async () => {
      const again = await warren.api(alice, 'PATCH', path(session, `/${root.id}`), { content: 'final final text' });
      expect(again.status).to.equal(202);
      expect((await warren.api(bob, 'DELETE', path(session, `/${root.id}/reactions/${thumbs}`))).status).to.equal(204);
      const party = encodeURIComponent('🎉');
      expect((await warren.api(alice, 'PUT', path(session, `/${root.id}/reactions/${party}`))).status).to.equal(204);
      expect((await warren.api(bob, 'DELETE', path(session, `/${reply.id}`))).status).to.equal(202);
    });
    await eventually(async () => byId(await historyOf(bob, session), root.id)?.content === 'final final text');
    const after = await historyOf(bob, session);
    expect(byId(after, root.id)?.reactions).to.deep.equal([{ emoji: '🎉', count: 1, me: false }]);
    expect(byId(after, reply.id)).to.deep.include({ content: '' });
    expect(byId(after, reply.id)?.deleted_at).to.be.a('string');
  });

  it('ignores a message.edited forged by a bot: dead-lettered with its reason, never delivered, history unchanged', async () => {
    const [alice, bob] = await registerEach(warren, 'alice', 'bob');
    const session = await warren.createSession(alice, [bob]);
    const bobSocket = await connect(bob);
    const message = await post(alice, session, { content: 'what Alice said' });
    await warren.stored({ id: message.id });

    const bot = testConfig().users.bot;
    const forged = encodeSessionEvent({
      sessionId: session,
      event: 'message.edited',
      data: { session_id: session, message_id: message.id, content: 'what Alice never said', edited_at: new Date() },
      publisher: bot.name,
      messageId: newChangeId(),
    });
    const connection = await amqp.connect(warren.urls.bot);
    try {
      const channel = await connection.createConfirmChannel();
      channel.publish(forged.exchange, '', forged.content, { ...forged.options });
      await channel.waitForConfirms();
    } finally {
      await connection.close();
    }
    expect(forged.exchange).to.equal(names.sessionExchange(session));
    const letter = await warren.deadLettered(forged.options.messageId);
    expect(letter.reason).to.equal('untrusted_event');
    expect(letter.error).to.match(/^untrusted_event: message\.edited/);

    // A sentinel posted after it: the gateway delivers in publish order, so Bob would have the forgery first.
    const sentinel = await post(alice, session, { content: 'sentinel' });
    await bobSocket.message(sentinel.id);
    expect(bobSocket.frames.some((frame) => frame.type === 'event' && frame.event === 'message.edited')).to.equal(
      false,
    );
    await warren.stored({ id: sentinel.id });
    expect(byId(await historyOf(bob, session), message.id)).to.deep.include({
      content: 'what Alice said',
      edited_at: null,
    });
  });
});
