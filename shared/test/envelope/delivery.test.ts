import { expect } from 'chai';
import {
  encodeChatMessage,
  encodeSessionEvent,
  MAX_REQUEST_ID_LENGTH,
  type OutgoingDelivery,
  requestIdOf,
} from '../../src/envelope/index.ts';
import { delivery, MESSAGE_ID, USER_MESSAGE as message, receive, SESSION_ID, USER_ID } from './fixtures.ts';

/** The delivery a consumer receives of an encoder's output. */
const received = (out: OutgoingDelivery) => ({
  fields: { exchange: out.exchange },
  properties: out.options,
  content: out.content,
});

const event = (requestId?: string) =>
  encodeSessionEvent({
    sessionId: SESSION_ID,
    event: 'read',
    data: { session_id: SESSION_ID, user_id: USER_ID, message_id: MESSAGE_ID },
    publisher: 'chat-api',
    messageId: MESSAGE_ID,
    ...(requestId === undefined ? {} : { requestId }),
  });

describe('envelope request id (x-warren-request-id)', () => {
  it('is carried by a chat message beside the author headers, and read back', () => {
    const out = encodeChatMessage({ message, publisher: 'chat-api', requestId: 'req-1.a:b' });
    expect(out.options.headers).to.deep.equal({
      'x-warren-author-id': USER_ID,
      'x-warren-author-name': 'alice',
      'x-warren-request-id': 'req-1.a:b',
    });
    expect(requestIdOf(received(out))).to.equal('req-1.a:b');
  });

  it('is carried by a session event, which otherwise has no headers', () => {
    const out = event('0f1e2d3c-aaaa-4bbb-8ccc-123456789abc');
    expect(out.options.headers).to.deep.equal({ 'x-warren-request-id': '0f1e2d3c-aaaa-4bbb-8ccc-123456789abc' });
    expect(requestIdOf(received(out))).to.equal('0f1e2d3c-aaaa-4bbb-8ccc-123456789abc');
    expect(event().options).to.not.have.property('headers');
  });

  it('is left out when absent or empty', () => {
    for (const requestId of [undefined, '']) {
      const out = encodeChatMessage({ message, publisher: 'chat-api', requestId });
      expect(out.options.headers).to.not.have.property('x-warren-request-id');
      expect(requestIdOf(received(out))).to.equal(undefined);
    }
    expect(event('').options).to.not.have.property('headers');
  });

  it('is cut to its bound by the encoders', () => {
    const long = `${'r'.repeat(MAX_REQUEST_ID_LENGTH)}tail`;
    const bounded = 'r'.repeat(MAX_REQUEST_ID_LENGTH);
    expect(encodeChatMessage({ message, publisher: 'chat-api', requestId: long }).options.headers).to.include({
      'x-warren-request-id': bounded,
    });
    expect(event(long).options.headers).to.deep.equal({ 'x-warren-request-id': bounded });
    const exact = 'e'.repeat(MAX_REQUEST_ID_LENGTH);
    expect(event(exact).options.headers).to.deep.equal({ 'x-warren-request-id': exact });
  });

  it('is read from any publisher as an opaque string cut to its bound; anything but a string is none', () => {
    const withHeader = (value: unknown) =>
      delivery('{}', { userId: 'some-bot', headers: { 'x-warren-request-id': value } });
    expect(requestIdOf(withHeader('anything goes {"x": 1}\n'))).to.equal('anything goes {"x": 1}\n');
    expect(requestIdOf(withHeader('b'.repeat(100_000)))).to.equal('b'.repeat(MAX_REQUEST_ID_LENGTH));
    for (const value of [undefined, '', 42, Buffer.from('bytes'), { id: 'x' }]) {
      expect(requestIdOf(withHeader(value)), String(value)).to.equal(undefined);
    }
    expect(requestIdOf(delivery('{}'))).to.equal(undefined);
  });

  it('changes nothing else a consumer decodes', () => {
    const plain = receive(encodeChatMessage({ message, publisher: 'chat-api' }));
    const traced = receive(encodeChatMessage({ message, publisher: 'chat-api', requestId: 'req-2' }));
    expect(traced).to.deep.equal(plain);
    expect(receive(event('req-3'))).to.deep.equal(receive(event()));
  });
});
