import type { Options } from 'amqplib';
import { expect } from 'chai';
import {
  type ChatMessage,
  EnvelopeError,
  encodeChatMessage,
  encodeSessionEvent,
  type UserAuthor,
} from '../../src/envelope/index.ts';
import { decode, EXCHANGE, MESSAGE_ID, SESSION_ID, TRUSTED, USER_ID } from './fixtures.ts';

type UserMessage = ChatMessage & { readonly author: UserAuthor };

const message: UserMessage = {
  id: MESSAGE_ID,
  session_id: SESSION_ID,
  author: { kind: 'user', id: USER_ID, username: 'alice' },
  type: 'text',
  content: 'hello, warren 😀',
  extra: null,
  created_at: '2024-05-06T07:08:09.987Z',
};

/** Decodes an encoder's output as a consumer receives it. */
const receive = (out: ReturnType<typeof encodeChatMessage>, trusted: readonly string[] = TRUSTED) =>
  decode({ fields: { exchange: out.exchange }, properties: out.options, content: out.content }, trusted);

const codeOf = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (error) {
    if (error instanceof EnvelopeError) return error.code;
    throw error;
  }
  return undefined;
};

describe('envelope encodeChatMessage', () => {
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

  it('round-trips: every consumer decodes exactly the message', () => {
    const variants: UserMessage[] = [
      message,
      { ...message, extra: { a: 1, nested: { b: [true, null, 'é'] } }, type: 'app.poll' },
      { ...message, content: 'x'.repeat(4000), created_at: '2000-01-01T00:00:00.000Z' },
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

  it("refuses a message that breaks a rule, with the decoder's code", () => {
    const publish = (m: UserMessage) => () => encodeChatMessage({ message: m, publisher: 'chat-api' });
    expect(codeOf(publish({ ...message, content: 'x'.repeat(4001) }))).to.equal('content_too_long');
    expect(codeOf(publish({ ...message, content: '' }))).to.equal('content_empty');
    expect(codeOf(publish({ ...message, type: 'Text' }))).to.equal('invalid_type');
    expect(codeOf(publish({ ...message, id: 'm-1' }))).to.equal('invalid_message_id');
    expect(codeOf(publish({ ...message, session_id: 'general' }))).to.equal('not_a_session');
    expect(codeOf(publish({ ...message, created_at: 'today' }))).to.equal('invalid_created_at');
    expect(codeOf(publish({ ...message, author: { kind: 'user', id: 'u', username: 'alice' } }))).to.equal(
      'invalid_author',
    );
    expect(codeOf(publish({ ...message, extra: { k: 'x'.repeat(8192) } }))).to.equal('extra_too_large');
    expect(codeOf(publish({ ...message, content: '\u200b\u2060' }))).to.equal('content_invisible');
    expect(codeOf(publish({ ...message, created_at: '1999-12-31T23:59:59.999Z' }))).to.equal('invalid_created_at');
    expect(codeOf(publish({ ...message, created_at: '+010000-01-01T00:00:00.000Z' }))).to.equal('invalid_created_at');
  });

  it('refuses an extra nested too deep before anything recursive runs on it', () => {
    const publish = (extra: Record<string, unknown>) => () =>
      encodeChatMessage({ message: { ...message, extra }, publisher: 'chat-api' });
    for (const depth of [17, 1250, 100_000]) {
      const extra = JSON.parse(`${'{"a":'.repeat(depth - 1)}{}${'}'.repeat(depth - 1)}`);
      expect(codeOf(publish(extra)), String(depth)).to.equal('extra_too_deep');
    }
  });

  it('refuses a message that would not decode to itself', () => {
    const publish = (m: UserMessage) => () => encodeChatMessage({ message: m, publisher: 'chat-api' });
    expect(codeOf(publish({ ...message, content: ' hi ' }))).to.equal('not_canonical');
    expect(codeOf(publish({ ...message, id: MESSAGE_ID.toUpperCase() }))).to.equal('not_canonical');
    expect(codeOf(publish({ ...message, created_at: '2024-05-06T09:08:09.987+02:00' }))).to.equal('not_canonical');
  });

  it("gives options amqplib's publish accepts", () => {
    const options: Options.Publish = encodeChatMessage({ message, publisher: 'chat-api' }).options;
    expect(options.persistent).to.equal(undefined);
  });
});

describe('envelope encodeSessionEvent', () => {
  const data = { session_id: SESSION_ID, user: { id: USER_ID, username: 'alice' } };

  it('publishes a transient JSON event named by the type property', () => {
    const out = encodeSessionEvent({
      sessionId: SESSION_ID,
      event: 'member.joined',
      data,
      publisher: 'chat-api',
      messageId: MESSAGE_ID,
    });
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

  it('sets a short expiration as a string when asked', () => {
    const out = encodeSessionEvent({
      sessionId: SESSION_ID,
      event: 'typing',
      data,
      publisher: 'chat-api',
      messageId: MESSAGE_ID,
      expirationMs: 5000,
    });
    expect(out.options.expiration).to.equal('5000');
  });

  it('round-trips to the same event and data', () => {
    const out = encodeSessionEvent({
      sessionId: SESSION_ID,
      event: 'read',
      data,
      publisher: 'chat-api',
      messageId: MESSAGE_ID,
    });
    expect(receive(out)).to.deep.equal({ ok: true, kind: 'event', sessionId: SESSION_ID, event: 'read', data });
  });

  it('refuses bad ids, data that is not JSON and bodies over 64 KiB', () => {
    const base = {
      sessionId: SESSION_ID,
      event: 'typing',
      data,
      publisher: 'chat-api',
      messageId: MESSAGE_ID,
    } as const;
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(codeOf(() => encodeSessionEvent({ ...base, messageId: 'e-1' }))).to.equal('invalid_message_id');
    expect(codeOf(() => encodeSessionEvent({ ...base, sessionId: 'general' }))).to.equal('not_a_session');
    for (const bad of [undefined, () => 1, cyclic, 1n]) {
      expect(codeOf(() => encodeSessionEvent({ ...base, data: bad }))).to.equal('invalid_body');
    }
    expect(codeOf(() => encodeSessionEvent({ ...base, data: 'x'.repeat(65_535) }))).to.equal('body_too_large');
    expect(encodeSessionEvent({ ...base, data: 'x'.repeat(65_534) }).content).to.have.length(65_536);
  });

  it('refuses an expiration that is not a non-negative integer', () => {
    const base = {
      sessionId: SESSION_ID,
      event: 'typing',
      data,
      publisher: 'chat-api',
      messageId: MESSAGE_ID,
    } as const;
    for (const expirationMs of [-1, 1.5, Number.NaN]) {
      expect(() => encodeSessionEvent({ ...base, expirationMs })).to.throw(RangeError);
    }
  });
});
