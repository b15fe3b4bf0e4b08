import type { Options } from 'amqplib';
import { expect } from 'chai';
import { type EncodeSessionEventInput, encodeChatMessage, encodeSessionEvent } from '../../src/envelope/index.ts';
import {
  EXCHANGE,
  MESSAGE_ID,
  USER_MESSAGE as message,
  ROOT_ID,
  receive,
  SESSION_ID,
  thrownCode,
  USER_ID,
  type UserMessage,
} from './fixtures.ts';

describe('envelope encodeChatMessage', () => {
  const publish = (m: UserMessage) => () => encodeChatMessage({ message: m, publisher: 'chat-api' });

  it('publishes a persistent JSON message with author headers to the session exchange', () => {
    const out = encodeChatMessage({ message, publisher: 'chat-api' });
    expect(out.exchange).to.equal(EXCHANGE);
    expect(out.routingKey).to.equal('');
    expect(out.options).to.deep.equal({
      messageId: MESSAGE_ID,
      type: 'message',
      userId: 'chat-api',
      timestamp: 1_714_979_289,
      contentType: 'application/json',
      deliveryMode: 2,
      headers: { 'x-warren-author-id': USER_ID, 'x-warren-author-name': 'alice' },
    });
    expect(JSON.parse(out.content.toString('utf8'))).to.deep.equal({
      content: message.content,
      type: 'text',
      created_at: message.created_at,
    });
  });

  it('writes extra when there is one', () => {
    const extra = { reply_to: MESSAGE_ID, tags: ['a'] };
    const out = encodeChatMessage({ message: { ...message, type: 'reply', extra }, publisher: 'chat-api' });
    expect(JSON.parse(out.content.toString('utf8'))).to.deep.include({ type: 'reply', extra });
  });

  it('writes reply_to for a reply, and leaves it out of a message that is none', () => {
    const out = encodeChatMessage({ message: { ...message, reply_to: ROOT_ID }, publisher: 'chat-api' });
    expect(JSON.parse(out.content.toString('utf8'))).to.include({ reply_to: ROOT_ID });
    expect(
      JSON.parse(encodeChatMessage({ message, publisher: 'chat-api' }).content.toString('utf8')),
    ).to.not.have.property('reply_to');
  });

  it('round-trips at the edges of the field rules: every consumer decodes exactly the message', () => {
    const variants: UserMessage[] = [
      message,
      { ...message, reply_to: ROOT_ID },
      { ...message, extra: { a: 1, nested: { b: [true, null, 'é'] } }, type: 'app.poll' },
      { ...message, content: 'x'.repeat(4000), created_at: '2000-01-01T00:00:00.000Z' },
      { ...message, content: '😀'.repeat(4000), created_at: '9999-12-31T23:59:59.999Z' },
    ];
    for (const m of variants) {
      expect(receive(encodeChatMessage({ message: m, publisher: 'chat-api' }))).to.deep.equal({
        ok: true,
        kind: 'message',
        sessionId: SESSION_ID,
        message: m,
      });
    }
  });

  it('yields a bot message when consumers do not trust the publisher', () => {
    const out = encodeChatMessage({ message, publisher: 'chat-api' });
    const decoded = receive(out, []);
    expect(decoded.ok && decoded.kind === 'message' && decoded.message.author).to.deep.equal({
      kind: 'bot',
      name: 'chat-api',
    });
  });

  it('trusts its caller with the field rules: it writes the fields as given, without decoding them again', () => {
    const out = encodeChatMessage({ message: { ...message, content: ' hi ' }, publisher: 'chat-api' });
    expect(JSON.parse(out.content.toString('utf8'))).to.include({ content: ' hi ' });
  });

  it('refuses a created_at that is not a date, since the timestamp property is computed from it', () => {
    expect(thrownCode(publish({ ...message, created_at: 'today' }))).to.equal('invalid_created_at');
  });

  it('refuses an extra nested too deep before anything recursive runs on it', () => {
    for (const depth of [17, 1250, 100_000]) {
      const extra = JSON.parse(`${'{"a":'.repeat(depth - 1)}{}${'}'.repeat(depth - 1)}`);
      expect(thrownCode(publish({ ...message, extra })), String(depth)).to.equal('extra_too_deep');
    }
  });

  it("gives options amqplib's publish accepts", () => {
    const options: Options.Publish = encodeChatMessage({ message, publisher: 'chat-api' }).options;
    expect(options.persistent).to.equal(undefined);
  });
});

describe('envelope encodeSessionEvent', () => {
  const data = { session_id: SESSION_ID, user: { id: USER_ID, username: 'alice' } };
  const typing: EncodeSessionEventInput = {
    sessionId: SESSION_ID,
    event: 'typing',
    data,
    publisher: 'chat-api',
    messageId: MESSAGE_ID,
  };

  it('publishes a transient JSON event named by the type property', () => {
    const out = encodeSessionEvent({ ...typing, event: 'member.joined' });
    expect(out.exchange).to.equal(EXCHANGE);
    expect(out.routingKey).to.equal('');
    expect(out.options).to.deep.equal({
      messageId: MESSAGE_ID,
      type: 'member.joined',
      userId: 'chat-api',
      contentType: 'application/json',
      deliveryMode: 1,
    });
    expect(JSON.parse(out.content.toString('utf8'))).to.deep.equal(data);
  });

  it('publishes the events that change a stored message as persistent, and decodes them to the change', () => {
    const edited = {
      session_id: SESSION_ID,
      message_id: ROOT_ID,
      content: 'fixed',
      edited_at: '2024-05-06T07:08:10.000Z',
    };
    const out = encodeSessionEvent({ ...typing, event: 'message.edited', data: edited });
    expect(out.options.deliveryMode).to.equal(2);
    expect(receive(out)).to.deep.equal({
      ok: true,
      kind: 'event',
      sessionId: SESSION_ID,
      event: 'message.edited',
      data: edited,
      change: {
        kind: 'edit',
        id: MESSAGE_ID,
        sessionId: SESSION_ID,
        messageId: ROOT_ID,
        content: 'fixed',
        at: '2024-05-06T07:08:10.000Z',
      },
    });
    const reaction = {
      session_id: SESSION_ID,
      message_id: ROOT_ID,
      emoji: '👍',
      user: { id: USER_ID, username: 'alice' },
    };
    for (const event of ['message.deleted', 'reaction.added', 'reaction.removed'] as const) {
      expect(encodeSessionEvent({ ...typing, event, data: reaction }).options.deliveryMode, event).to.equal(2);
    }
  });

  it('sets a short expiration as a string when asked', () => {
    expect(encodeSessionEvent({ ...typing, expirationMs: 5000 }).options.expiration).to.equal('5000');
  });

  it('round-trips to the same event and data', () => {
    const out = encodeSessionEvent({ ...typing, event: 'read' });
    expect(receive(out)).to.deep.equal({
      ok: true,
      kind: 'event',
      sessionId: SESSION_ID,
      event: 'read',
      data,
      change: null,
    });
  });

  it('refuses bad ids, data that is not JSON and bodies over 64 KiB', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(thrownCode(() => encodeSessionEvent({ ...typing, messageId: 'e-1' }))).to.equal('invalid_message_id');
    expect(thrownCode(() => encodeSessionEvent({ ...typing, sessionId: 'general' }))).to.equal('not_a_session');
    for (const bad of [undefined, () => 1, cyclic, 1n]) {
      expect(thrownCode(() => encodeSessionEvent({ ...typing, data: bad }))).to.equal('invalid_body');
    }
    expect(thrownCode(() => encodeSessionEvent({ ...typing, data: 'x'.repeat(65_535) }))).to.equal('body_too_large');
    expect(encodeSessionEvent({ ...typing, data: 'x'.repeat(65_534) }).content).to.have.length(65_536);
  });

  it('refuses an expiration that is not a non-negative integer', () => {
    for (const expirationMs of [-1, 1.5, Number.NaN]) {
      expect(() => encodeSessionEvent({ ...typing, expirationMs })).to.throw(RangeError);
    }
  });
});
