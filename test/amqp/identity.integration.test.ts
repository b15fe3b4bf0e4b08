import { randomUUID } from 'node:crypto';
import { exchanges, names, queues } from '@warren/shared/amqp';
import { envelopeHeaders, newMessageId } from '@warren/shared/envelope';
import { testConfig } from '@warren/shared/testing';
import amqp from 'amqplib';
import { expect } from 'chai';
import { useOwnedSession, useWarren } from '../support/warren.ts';
import { publishRaw } from './support/publish.ts';

/** RabbitMQ's reply codes. */
const ACCESS_REFUSED = 403;
const PRECONDITION_FAILED = 406;

describe('identity on the bus: a producer user cannot pass for anyone else', () => {
  const warren = useWarren();
  const session = useOwnedSession(warren);
  const bot = () => testConfig().users.bot;
  const chatApi = () => testConfig().users['chat-api'];

  it('a bot publishing with user_id set to its own name is stored as that bot', async () => {
    const id = newMessageId();
    const outcome = await publishRaw(bot().url, names.sessionExchange(session.id), 'deploy finished', {
      messageId: id,
      userId: bot().name,
      persistent: true,
    });
    expect(outcome).to.deep.equal({ confirmed: true });
    expect(await warren.stored({ id })).to.deep.include({
      author_kind: 'bot',
      author_id: null,
      author_name: bot().name,
      content: 'deploy finished',
    });
    const history = await warren.api(session.owner, 'GET', `/api/sessions/${session.id}/messages`);
    expect(history.body.messages.find((message: { id: string }) => message.id === id).author).to.deep.equal({
      kind: 'bot',
      name: bot().name,
    });
  });

  it("a bot claiming the chat-api user's name in user_id is refused by the broker (PRECONDITION_FAILED)", async () => {
    const id = newMessageId();
    const outcome = await publishRaw(bot().url, names.sessionExchange(session.id), 'I am chat-api', {
      messageId: id,
      userId: chatApi().name,
    });
    expect(outcome.confirmed).to.equal(false);
    expect(outcome.refusal?.code).to.equal(PRECONDITION_FAILED);
    expect(outcome.refusal?.message).to.include(`user_id property set to '${chatApi().name}'`);

    // Nothing reached the session: a message published after it is stored, the refused one is not.
    const after = newMessageId();
    await publishRaw(bot().url, names.sessionExchange(session.id), 'after the refusal', { messageId: after });
    await warren.stored({ id: after });
    expect(await warren.db.withSchema('history').from('messages').where({ id }).first()).to.equal(undefined);
  });

  it("a bot's author headers are not believed: the message is the bot's, not the chat user's", async () => {
    const id = newMessageId();
    await publishRaw(bot().url, names.sessionExchange(session.id), 'I am the owner', {
      messageId: id,
      userId: bot().name,
      headers: { [envelopeHeaders.authorId]: session.owner.id, [envelopeHeaders.authorName]: session.owner.username },
    });
    expect(await warren.stored({ id })).to.deep.include({ author_kind: 'bot', author_name: bot().name });
  });

  it("chat-api's author headers are believed, because the broker vouches that chat-api published them", async () => {
    const id = newMessageId();
    const outcome = await publishRaw(
      chatApi().url,
      names.sessionExchange(session.id),
      JSON.stringify({ content: 'hello from the web', created_at: new Date().toISOString() }),
      {
        messageId: id,
        userId: chatApi().name,
        contentType: 'application/json',
        headers: { [envelopeHeaders.authorId]: session.owner.id, [envelopeHeaders.authorName]: session.owner.username },
      },
    );
    expect(outcome).to.deep.equal({ confirmed: true });
    expect(await warren.stored({ id })).to.deep.include({
      author_kind: 'user',
      author_id: session.owner.id,
      author_name: session.owner.username,
    });
  });

  for (const [what, exchange] of [
    ['warren.messages, which feeds the persister', () => exchanges.messages.name],
    ["a user's exchange warren.user.<id>", () => names.userExchange(session.owner.id)],
    ['warren.events, where auth announces users', () => exchanges.events.name],
    ['warren.dead, where the persister files dead letters', () => exchanges.dead.name],
  ] as const) {
    it(`a bot may not publish to ${what} (ACCESS_REFUSED)`, async () => {
      const outcome = await publishRaw(bot().url, exchange(), 'sneaking in', { messageId: randomUUID() });
      expect(outcome.confirmed).to.equal(false);
      expect(outcome.refusal?.code).to.equal(ACCESS_REFUSED);
      expect(outcome.refusal?.message).to.include(`exchange '${exchange()}'`);
    });
  }

  it("a bot may not read a session's traffic: it can neither make a queue nor read the persister's", async () => {
    const connection = await amqp.connect(bot().url);
    try {
      for (const attempt of [
        (channel: amqp.Channel) => channel.assertQueue('', { exclusive: true }),
        (channel: amqp.Channel) => channel.get(queues.persister.name),
        (channel: amqp.Channel) => channel.get(queues.deadLetter.name),
      ]) {
        const channel = await connection.createChannel();
        channel.on('error', () => undefined);
        const error = await Promise.resolve(attempt(channel)).then(
          () => expect.fail('the broker let the bot read'),
          (failure: Error & { code?: number }) => failure,
        );
        expect(error.message).to.include('ACCESS_REFUSED');
      }
    } finally {
      await connection.close();
    }
  });
});
