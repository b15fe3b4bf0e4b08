import { expect } from 'chai';
import { authorOf, EnvelopeError } from '../../src/envelope/index.ts';
import { authorHeaders, delivery, TRUSTED, USER_ID } from './fixtures.ts';

const alice = { kind: 'user', id: USER_ID, username: 'alice' } as const;

describe('envelope authorOf', () => {
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
