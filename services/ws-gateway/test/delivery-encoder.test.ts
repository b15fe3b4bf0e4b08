import { Writable } from 'node:stream';
import { type DeliveryLike, decodeDelivery, encodeChatMessage, NEW_MESSAGE_STATE } from '@warren/shared/envelope';
import { createLogger } from '@warren/shared/logging';
import { expect } from 'chai';
import { DeliveryEncoder } from '../src/delivery-encoder.ts';

const SESSION = '0b6a4b6e-4c1f-4a8e-9d55-2f7c9a1e3b10';
const OTHER_SESSION = '7d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6';
const USER = '5f0c2a9e-8d3b-4e71-a6c4-1b2d3e4f5a6b';
const MESSAGE_ID = '018f3a2b-7c4d-7e5f-8a9b-0c1d2e3f4a5b';
const RECEIVED_AT = new Date('2025-03-04T05:06:07.089Z');

/**
 * chat-api's delivery of a message, published for a request when `requestId` is given, as a
 * consumer receives it (a fresh copy each call).
 */
function chatApiDelivery(content = 'hello', sessionId = SESSION, requestId?: string): DeliveryLike {
  const outgoing = encodeChatMessage({
    publisher: 'chat-api',
    requestId,
    message: {
      id: MESSAGE_ID,
      session_id: sessionId,
      author: { kind: 'user', id: USER, username: 'alice' },
      type: 'text',
      content,
      extra: null,
      created_at: '2025-03-04T05:06:07.089Z',
      reply_to: null,
      ...NEW_MESSAGE_STATE,
    },
  });
  return {
    fields: { exchange: outgoing.exchange },
    properties: { ...outgoing.options, headers: { ...outgoing.options.headers } },
    content: Buffer.from(outgoing.content),
  };
}

/** An encoder trusting chat-api, counting its cache hits and misses. */
function encoder() {
  const lookups = { hits: 0, misses: 0 };
  const instance = new DeliveryEncoder({
    trustedPublishers: ['chat-api'],
    now: () => RECEIVED_AT,
    onLookup: (hit) => {
      if (hit) lookups.hits += 1;
      else lookups.misses += 1;
    },
  });
  return { instance, lookups };
}

const frameOf = (encoded: ReturnType<DeliveryEncoder['encode']>) => {
  if (!encoded.ok) throw new Error(`${encoded.code}: ${encoded.detail}`);
  return JSON.parse(encoded.frame.toString('utf8'));
};

describe('DeliveryEncoder', () => {
  it('encodes what decodeDelivery reads as the frame', () => {
    const delivery = chatApiDelivery();
    const decoded = decodeDelivery(delivery, { trustedPublishers: ['chat-api'], receivedAt: RECEIVED_AT });
    if (!decoded.ok || decoded.kind !== 'message') throw new Error('does not decode');
    const encoded = encoder().instance.encode(delivery);
    expect(encoded).to.include({ ok: true, kind: 'message' });
    expect(frameOf(encoded)).to.deep.equal({ type: 'message', session_id: SESSION, message: decoded.message });
  });

  it('decodes the copies of one message once and hands out the same bytes', () => {
    const { instance, lookups } = encoder();
    const first = instance.encode(chatApiDelivery());
    const copies = Array.from({ length: 99 }, () => instance.encode(chatApiDelivery()));
    expect(lookups).to.deep.equal({ hits: 99, misses: 1 });
    for (const copy of copies) expect(copy).to.equal(first);
  });

  it('never hands a message the frame of another that shares its id', () => {
    const { instance, lookups } = encoder();
    const original = frameOf(instance.encode(chatApiDelivery('the original')));
    // A bot reusing the id, another body, another session, a forged author header: each decoded anew.
    const bot = { ...chatApiDelivery('the original'), properties: { ...chatApiDelivery().properties, userId: 'bot' } };
    expect(frameOf(instance.encode(bot)).message.author).to.deep.equal({ kind: 'bot', name: 'bot' });
    expect(frameOf(instance.encode(chatApiDelivery('other content'))).message.content).to.equal('other content');
    expect(frameOf(instance.encode(chatApiDelivery('the original', OTHER_SESSION))).session_id).to.equal(OTHER_SESSION);
    const renamed = chatApiDelivery('the original');
    const headers = { ...renamed.properties.headers, 'x-warren-author-name': 'mallory' };
    expect(
      frameOf(instance.encode({ ...renamed, properties: { ...renamed.properties, headers } })).message.author,
    ).to.deep.include({ username: 'mallory' });
    const asBytes = { ...headers, 'x-warren-author-name': Buffer.from('mallory') };
    expect(
      frameOf(instance.encode({ ...renamed, properties: { ...renamed.properties, headers: asBytes } })).message.author,
    ).to.deep.include({ username: 'mallory' });
    expect(lookups).to.deep.equal({ hits: 0, misses: 6 });
    expect(original.message.content).to.equal('the original');
  });

  it('judges an invalid delivery once and says why', () => {
    const { instance, lookups } = encoder();
    const tooLong = () => chatApiDelivery('x'.repeat(4000));
    const long = tooLong();
    const body = JSON.parse(long.content.toString()) as { content: string };
    body.content = 'x'.repeat(4001);
    const invalid = { ...long, content: Buffer.from(JSON.stringify(body)) };
    expect(instance.encode(invalid)).to.include({ ok: false, code: 'content_too_long' });
    expect(instance.encode({ ...invalid, content: Buffer.from(invalid.content) })).to.include({ ok: false });
    expect(lookups).to.deep.equal({ hits: 1, misses: 1 });
  });

  it('judges hostile deliveries (deep extra or event data, far timestamps) as invalid, never throwing', () => {
    const { instance } = encoder();
    const deepExtra = `{"content":"hi","extra":${'{"a":'.repeat(1400)}{}${'}'.repeat(1400)}}`;
    const hostile: [DeliveryLike, string][] = [
      [
        {
          fields: { exchange: `warren.session.${SESSION}` },
          properties: { messageId: MESSAGE_ID, userId: 'bot', contentType: 'application/json' },
          content: Buffer.from(deepExtra),
        },
        'extra_too_deep',
      ],
      [
        {
          fields: { exchange: `warren.session.${SESSION}` },
          properties: { userId: 'bot', contentType: 'application/json' },
          content: Buffer.from(deepExtra),
        },
        'extra_too_deep',
      ],
      [
        {
          fields: { exchange: `warren.session.${SESSION}` },
          properties: { messageId: MESSAGE_ID, type: 'read', userId: 'chat-api' },
          content: Buffer.from(`${'['.repeat(20_000)}${']'.repeat(20_000)}`),
        },
        'invalid_body',
      ],
      [
        {
          fields: { exchange: `warren.session.${SESSION}` },
          properties: { messageId: MESSAGE_ID, userId: 'bot', timestamp: 253_402_300_800 },
          content: Buffer.from('from the future'),
        },
        'invalid_timestamp',
      ],
    ];
    for (const [delivery, code] of hostile) expect(instance.encode(delivery)).to.include({ ok: false, code });
  });

  it('decodes a delivery without message_id every time (its id is derived), with the same result', () => {
    const { instance, lookups } = encoder();
    const delivery: DeliveryLike = {
      fields: { exchange: `warren.session.${SESSION}` },
      properties: { userId: 'bot', timestamp: 1_700_000_000 },
      content: Buffer.from('weather: sunny'),
    };
    const [a, b] = [frameOf(instance.encode(delivery)), frameOf(instance.encode(delivery))];
    expect(a).to.deep.equal(b);
    expect(a.message.author).to.deep.equal({ kind: 'bot', name: 'bot' });
    expect(lookups).to.deep.equal({ hits: 0, misses: 0 });
  });

  it('keeps within maxBytes, oldest out', () => {
    const withId = (n: number) => {
      const delivery = chatApiDelivery();
      return {
        ...delivery,
        properties: { ...delivery.properties, messageId: `018f3a2b-7c4d-7e5f-8a9b-00000000000${n}` },
      };
    };
    const sample = withId(0);
    const encoded = encoder().instance.encode(sample);
    if (!encoded.ok) throw new Error('does not encode');
    // Room for two entries of body and frame, not three.
    const entryBytes = sample.content.length + encoded.wire.length;
    const lookups = { hits: 0, misses: 0 };
    const small = new DeliveryEncoder({
      trustedPublishers: ['chat-api'],
      maxBytes: 2 * entryBytes + entryBytes / 2,
      onLookup: (hit) => (hit ? lookups.hits++ : lookups.misses++),
    });
    for (const n of [1, 2, 3]) small.encode(withId(n));
    expect(lookups).to.deep.equal({ hits: 0, misses: 3 });
    small.encode(withId(3));
    small.encode(withId(2));
    expect(lookups).to.deep.equal({ hits: 2, misses: 3 });
    small.encode(withId(1));
    expect(lookups).to.deep.equal({ hits: 2, misses: 4 });
  });
});

/** An encoder logging at `level` into an array of parsed lines. */
function loggingEncoder(level: string) {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')));
      done();
    },
  });
  const logger = createLogger({ service: 'ws-gateway', level, destination });
  return { encoder: new DeliveryEncoder({ trustedPublishers: ['chat-api'], logger }), lines };
}

describe('DeliveryEncoder logging', () => {
  it('logs a message decoded once at debug level with its request id, not each copy', () => {
    const { encoder, lines } = loggingEncoder('debug');
    for (let copy = 0; copy < 10; copy += 1) encoder.encode(chatApiDelivery('hello', SESSION, 'req-42'));
    expect(lines).to.have.length(1);
    expect(lines[0]).to.include({
      msg: 'delivery decoded',
      module: 'delivery-encoder',
      messageId: MESSAGE_ID,
      kind: 'message',
      requestId: 'req-42',
    });
  });

  it('logs an invalid delivery with its code, and a message without a request id without one', () => {
    const { encoder, lines } = loggingEncoder('debug');
    encoder.encode(chatApiDelivery(' ', SESSION, 'req-bad'));
    encoder.encode(chatApiDelivery('fine', SESSION, undefined));
    expect(lines.map(({ invalid, kind, requestId }) => ({ invalid, kind, requestId }))).to.deep.equal([
      { invalid: 'content_empty', kind: undefined, requestId: 'req-bad' },
      { invalid: undefined, kind: 'message', requestId: undefined },
    ]);
  });

  it('logs nothing above debug level', () => {
    const { encoder, lines } = loggingEncoder('info');
    encoder.encode(chatApiDelivery('hello', SESSION, 'req-43'));
    expect(lines).to.deep.equal([]);
  });
});
