import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { authorOf, createdAtOf, EnvelopeError, MESSAGE_ID_NAMESPACE, messageIdOf } from '../../src/envelope/index.ts';
import { authorHeaders, delivery, EXCHANGE, MESSAGE_ID, RECEIVED_AT, TRUSTED, USER_ID } from './fixtures.ts';

/** RFC 9562 UUIDv5 written out, to pin the name layout independently of the uuid package. */
function uuidV5(namespace: string, name: Buffer): string {
  const hash = createHash('sha1')
    .update(Buffer.from(namespace.replaceAll('-', ''), 'hex'))
    .update(name)
    .digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

describe('envelope messageIdOf', () => {
  const base = { timestamp: 1_700_000_000, userId: 'bot' };

  it('returns a message_id that is a UUID, lower-cased', () => {
    expect(messageIdOf(delivery('hi', { messageId: MESSAGE_ID }))).to.equal(MESSAGE_ID);
    expect(messageIdOf(delivery('hi', { messageId: MESSAGE_ID.toUpperCase() }))).to.equal(MESSAGE_ID);
  });

  it('throws invalid_message_id for a message_id that is not a UUID', () => {
    for (const messageId of ['42', `{${MESSAGE_ID}}`, MESSAGE_ID.replaceAll('-', ''), 7]) {
      expect(() => messageIdOf(delivery('hi', { messageId })))
        .to.throw(EnvelopeError)
        .with.property('code', 'invalid_message_id');
    }
  });

  it('derives the same UUIDv5 from the same delivery', () => {
    const id = messageIdOf(delivery('hello', base));
    expect(id).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(messageIdOf(delivery('hello', { ...base }))).to.equal(id);
  });

  it('derives a different id when the exchange, timestamp, user_id or body changes', () => {
    const id = messageIdOf(delivery('hello', base));
    const variants = [
      delivery('hello', base, `${EXCHANGE}0`),
      delivery('hello', { ...base, timestamp: 1_700_000_001 }),
      delivery('hello', { userId: 'bot' }),
      delivery('hello', { ...base, userId: 'chat-api' }),
      delivery('hello', { timestamp: 1_700_000_000 }),
      delivery('hello!', base),
      delivery(Buffer.from([0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x00]), base),
    ];
    const ids = variants.map(messageIdOf);
    expect(new Set([id, ...ids]).size).to.equal(variants.length + 1);
  });

  it('ignores the properties that are not part of the name', () => {
    const id = messageIdOf(delivery('hello', base));
    expect(
      messageIdOf(delivery('hello', { ...base, contentType: 'text/plain', type: 'message', headers: { a: 1 } })),
    ).to.equal(id);
  });

  it('treats an empty message_id as absent', () => {
    expect(messageIdOf(delivery('hello', { ...base, messageId: '' }))).to.equal(messageIdOf(delivery('hello', base)));
  });

  it('hashes exactly "<exchange>\\n<timestamp>\\n<user_id>\\n" + body under the fixed namespace', () => {
    const body = Buffer.from([0xff, 0x00, 0x41]);
    const name = Buffer.concat([Buffer.from(`${EXCHANGE}\n1700000000\nbot\n`, 'utf8'), body]);
    expect(messageIdOf(delivery(body, base))).to.equal(uuidV5(MESSAGE_ID_NAMESPACE, name));
    const bare = Buffer.concat([Buffer.from(`${EXCHANGE}\n\n\n`, 'utf8'), body]);
    expect(messageIdOf(delivery(body))).to.equal(uuidV5(MESSAGE_ID_NAMESPACE, bare));
  });

  it('keeps the pinned ids (computed once, cross-checked with Python uuid.uuid5): the layout must never change', () => {
    expect(MESSAGE_ID_NAMESPACE).to.equal('fc5351cf-2ac7-4fd0-9e76-b74d667f8806');
    expect(messageIdOf(delivery('hello, warren', base))).to.equal('729010ee-01b8-5053-b55e-6f5ecfff462b');
    expect(messageIdOf(delivery('hello, warren'))).to.equal('2d7d4e41-6775-5426-8e00-0623648cb0a3');
  });
});

describe('envelope authorOf', () => {
  const alice = { kind: 'user', id: USER_ID, username: 'alice' } as const;

  it('is the chat user of the author headers when a trusted publisher sent them', () => {
    expect(authorOf(delivery('hi', { userId: 'chat-api', headers: authorHeaders() }), TRUSTED)).to.deep.equal(alice);
  });

  it('accepts the trusted publishers as a Set too', () => {
    const d = delivery('hi', { userId: 'chat-api', headers: authorHeaders() });
    expect(authorOf(d, new Set(TRUSTED))).to.deep.equal(alice);
  });

  it('reads header values sent as byte arrays and lower-cases the id', () => {
    const headers = authorHeaders(Buffer.from(USER_ID.toUpperCase()), Buffer.from('alice'));
    expect(authorOf(delivery('hi', { userId: 'chat-api', headers }), TRUSTED)).to.deep.equal(alice);
  });

  it('is a bot named by its AMQP user when an untrusted publisher forges author headers', () => {
    expect(authorOf(delivery('hi', { userId: 'bot', headers: authorHeaders() }), TRUSTED)).to.deep.equal({
      kind: 'bot',
      name: 'bot',
    });
  });

  it('is a bot named by its AMQP user without headers', () => {
    expect(authorOf(delivery('hi', { userId: 'weather' }), TRUSTED)).to.deep.equal({ kind: 'bot', name: 'weather' });
  });

  it('is a bot named by the service when a trusted publisher sends no author header', () => {
    expect(authorOf(delivery('hi', { userId: 'chat-api', headers: {} }), TRUSTED)).to.deep.equal({
      kind: 'bot',
      name: 'chat-api',
    });
    expect(authorOf(delivery('hi', { userId: 'chat-api' }), TRUSTED)).to.deep.equal({ kind: 'bot', name: 'chat-api' });
  });

  it('is null (a system message) without user_id, whatever the headers', () => {
    expect(authorOf(delivery('hi'), TRUSTED)).to.equal(null);
    expect(authorOf(delivery('hi', { userId: '', headers: authorHeaders() }), TRUSTED)).to.equal(null);
  });

  it('throws invalid_author when a trusted publisher sends broken author headers', () => {
    const broken = [
      { 'x-warren-author-id': USER_ID },
      { 'x-warren-author-name': 'alice' },
      authorHeaders('not-a-uuid'),
      authorHeaders(USER_ID, 'al'),
      authorHeaders(USER_ID, 'alice smith'),
      authorHeaders(USER_ID, Buffer.from([0xc3, 0x28])),
      { 'x-warren-author-id': 42, 'x-warren-author-name': 'alice' },
    ];
    for (const headers of broken) {
      expect(() => authorOf(delivery('hi', { userId: 'chat-api', headers }), TRUSTED))
        .to.throw(EnvelopeError)
        .with.property('code', 'invalid_author');
    }
  });

  it('ignores broken author headers from an untrusted publisher', () => {
    const headers = { 'x-warren-author-id': 'x' };
    expect(authorOf(delivery('hi', { userId: 'bot', headers }), TRUSTED)).to.deep.equal({ kind: 'bot', name: 'bot' });
  });
});

describe('envelope createdAtOf', () => {
  const timestamp = 1_700_000_000;
  const fromTimestamp = '2023-11-14T22:13:20.000Z';
  const body = { created_at: '2024-05-06T07:08:09.123Z' };

  it("takes a trusted publisher's created_at first", () => {
    const d = delivery('', { userId: 'chat-api', timestamp });
    expect(createdAtOf(d, body, TRUSTED, RECEIVED_AT)).to.equal(body.created_at);
  });

  it('normalizes it to UTC with milliseconds', () => {
    const d = delivery('', { userId: 'chat-api' });
    expect(createdAtOf(d, { created_at: '2024-05-06T09:08:09+02:00' }, TRUSTED, RECEIVED_AT)).to.equal(
      '2024-05-06T07:08:09.000Z',
    );
    expect(createdAtOf(d, { created_at: '2024-05-06T07:08:09.123456Z' }, TRUSTED, RECEIVED_AT)).to.equal(
      '2024-05-06T07:08:09.123Z',
    );
  });

  it("ignores an untrusted publisher's created_at and takes the timestamp property", () => {
    expect(createdAtOf(delivery('', { userId: 'bot', timestamp }), body, TRUSTED, RECEIVED_AT)).to.equal(fromTimestamp);
    expect(createdAtOf(delivery('', { timestamp }), body, TRUSTED, RECEIVED_AT)).to.equal(fromTimestamp);
  });

  it("does not check an untrusted publisher's created_at", () => {
    const d = delivery('', { userId: 'bot' });
    expect(createdAtOf(d, { created_at: 'yesterday' }, TRUSTED, RECEIVED_AT)).to.equal(RECEIVED_AT.toISOString());
  });

  it('takes the timestamp when a trusted publisher gives no created_at', () => {
    const d = delivery('', { userId: 'chat-api', timestamp });
    expect(createdAtOf(d, {}, TRUSTED, RECEIVED_AT)).to.equal(fromTimestamp);
    expect(createdAtOf(d, null, TRUSTED, RECEIVED_AT)).to.equal(fromTimestamp);
  });

  it('falls back to the reception time without a timestamp', () => {
    const received = RECEIVED_AT.toISOString();
    expect(createdAtOf(delivery(''), null, TRUSTED, RECEIVED_AT)).to.equal(received);
    expect(createdAtOf(delivery('', { timestamp: null }), null, TRUSTED, RECEIVED_AT)).to.equal(received);
  });

  it('takes a timestamp from the first second of 2000 to the last of 9999', () => {
    expect(createdAtOf(delivery('', { timestamp: 946_684_800 }), null, TRUSTED, RECEIVED_AT)).to.equal(
      '2000-01-01T00:00:00.000Z',
    );
    expect(createdAtOf(delivery('', { timestamp: 253_402_300_799 }), null, TRUSTED, RECEIVED_AT)).to.equal(
      '9999-12-31T23:59:59.000Z',
    );
  });

  it('throws invalid_timestamp for a timestamp outside the years 2000 to 9999, or not whole seconds', () => {
    for (const value of [
      0,
      1,
      946_684_799,
      253_402_300_800,
      9e12,
      2 ** 53,
      1.5e9 + 0.5,
      -1,
      Number.NaN,
      '1700000000',
    ]) {
      for (const userId of ['bot', 'chat-api']) {
        expect(() => createdAtOf(delivery('', { userId, timestamp: value }), null, TRUSTED, RECEIVED_AT), String(value))
          .to.throw(EnvelopeError)
          .with.property('code', 'invalid_timestamp');
      }
    }
  });

  it("checks the timestamp even when a trusted publisher's created_at wins", () => {
    const d = delivery('', { userId: 'chat-api', timestamp: 253_402_300_800 });
    expect(() => createdAtOf(d, { created_at: '2024-05-06T07:08:09Z' }, TRUSTED, RECEIVED_AT))
      .to.throw(EnvelopeError)
      .with.property('code', 'invalid_timestamp');
  });

  it("throws invalid_created_at for a trusted publisher's created_at that is not an ISO-8601 instant", () => {
    const d = delivery('', { userId: 'chat-api', timestamp });
    for (const created_at of ['yesterday', '2024-05-06', '2024-05-06T07:08:09', '2024-02-30T00:00:00Z', '1715000000']) {
      expect(() => createdAtOf(d, { created_at }, TRUSTED, RECEIVED_AT))
        .to.throw(EnvelopeError)
        .with.property('code', 'invalid_created_at');
    }
  });

  it('throws invalid_created_at for an instant outside the years 2000 to 9999 in UTC, as for the timestamp', () => {
    const d = delivery('', { userId: 'chat-api', timestamp });
    for (const created_at of [
      '0000-06-01T00:00:00Z',
      '0001-01-01T00:00:00Z',
      '2000-01-01T00:30:00+01:00',
      '9999-12-31T23:30:00-01:00',
      '+010000-01-01T00:00:00Z',
    ]) {
      expect(() => createdAtOf(d, { created_at }, TRUSTED, RECEIVED_AT), created_at)
        .to.throw(EnvelopeError)
        .with.property('code', 'invalid_created_at');
    }
    expect(createdAtOf(d, { created_at: '2000-01-01T00:00:00Z' }, TRUSTED, RECEIVED_AT)).to.equal(
      '2000-01-01T00:00:00.000Z',
    );
    expect(createdAtOf(d, { created_at: '9999-12-31T23:59:59Z' }, TRUSTED, RECEIVED_AT)).to.equal(
      '9999-12-31T23:59:59.000Z',
    );
  });
});
