import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { EnvelopeError, MESSAGE_ID_NAMESPACE, messageIdOf } from '../../src/envelope/index.ts';
import { delivery, EXCHANGE, MESSAGE_ID } from './fixtures.ts';

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
