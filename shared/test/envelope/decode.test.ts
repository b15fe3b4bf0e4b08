import type { ConsumeMessage } from 'amqplib';
import { expect } from 'chai';
import { names, sessionEventTypes } from '../../src/amqp/topology.ts';
import {
  type DecodeResult,
  type DeliveryLike,
  deadLetterReason,
  decodeDelivery,
  type EnvelopeErrorCode,
  type EnvelopeProblem,
  envelopeErrorCodes,
  isMessageChangeEvent,
  NEW_MESSAGE_STATE,
} from '../../src/envelope/index.ts';
import { amqpMessage } from '../../src/testing/index.ts';
import {
  authorHeaders,
  decode,
  delivery,
  EXCHANGE,
  jsonDelivery,
  MESSAGE_ID,
  RECEIVED_AT,
  ROOT_ID,
  SESSION_ID,
  USER_ID,
} from './fixtures.ts';

/** The failure of a result, or a failed assertion when it succeeded. */
function failure(result: DecodeResult): EnvelopeProblem {
  if (result.ok) expect.fail(`expected a failure, got ${JSON.stringify(result)}`);
  return result;
}

/** The message of a result, or a failed assertion when it is anything else. */
function messageOf(result: DecodeResult) {
  if (!result.ok || result.kind !== 'message') expect.fail(`expected a message, got ${JSON.stringify(result)}`);
  return result.message;
}

const codeOf = (d: DeliveryLike): EnvelopeErrorCode => failure(decode(d)).code;

/** The properties of a JSON body. */
const json = { contentType: 'application/json' } as const;

/** A JSON message body whose `extra` nests `depth` objects, written as text so no test code recurses. */
const deepExtraBody = (depth: number): string =>
  `{"content":"hi","extra":${'{"a":'.repeat(depth - 1)}{}${'}'.repeat(depth - 1)}}`;

/** A delivery whose reading throws what no rule throws: a stand-in for any bug below the decoder. */
function throwingDelivery(): DeliveryLike {
  return {
    fields: { exchange: EXCHANGE },
    properties: {
      get messageId(): unknown {
        throw new TypeError('boom');
      },
    },
    content: Buffer.from('hi'),
  };
}

describe('envelope decodeDelivery', () => {
  describe('a plain-text message', () => {
    it('is the trimmed text of the body, a system message without user_id', () => {
      const result = decode(delivery('  hello from the management UI \n'));
      expect(result).to.deep.equal({
        ok: true,
        kind: 'message',
        sessionId: SESSION_ID,
        message: {
          id: messageOf(result).id,
          session_id: SESSION_ID,
          author: null,
          type: 'text',
          content: 'hello from the management UI',
          extra: null,
          created_at: RECEIVED_AT.toISOString(),
          reply_to: null,
          ...NEW_MESSAGE_STATE,
        },
      });
    });

    it('is text whatever the content type other than JSON, even when it looks like JSON', () => {
      for (const contentType of [undefined, '', 'text/plain', 'application/octet-stream', 'application/jsonx']) {
        expect(messageOf(decode(delivery('{"content":"x"}', { contentType }))).content).to.equal('{"content":"x"}');
      }
    });

    it('is refused when not UTF-8', () => {
      expect(codeOf(delivery(Buffer.from([0x68, 0xff, 0x69])))).to.equal('invalid_utf8');
      expect(codeOf(delivery(Buffer.from([0xed, 0xa0, 0x80])))).to.equal('invalid_utf8');
    });

    it('is refused when empty after trimming', () => {
      expect(codeOf(delivery(''))).to.equal('content_empty');
      expect(codeOf(delivery(' \r\n '))).to.equal('content_empty');
    });

    it('holds 4000 characters after trimming, not 4001', () => {
      expect(messageOf(decode(delivery(`\n${'é'.repeat(4000)}  `))).content).to.equal('é'.repeat(4000));
      expect(codeOf(delivery('é'.repeat(4001)))).to.equal('content_too_long');
    });

    it('is refused when it holds U+0000', () => {
      expect(codeOf(delivery('a\u0000b'))).to.equal('invalid_characters');
    });
  });

  describe('a JSON message', () => {
    it('reads content, type and extra', () => {
      const extra = { poll: { options: ['a', 'b'] } };
      const message = messageOf(decode(jsonDelivery({ content: ' Vote! ', type: 'poll', extra }, { userId: 'bot' })));
      expect(message).to.include({ content: 'Vote!', type: 'poll' });
      expect(message.extra).to.deep.equal(extra);
      expect(message.author).to.deep.equal({ kind: 'bot', name: 'bot' });
    });

    it('accepts the JSON content type in any case and with parameters', () => {
      for (const contentType of [
        'application/json',
        'Application/JSON',
        'application/json; charset=utf-8',
        ' application/json ;x=y',
      ]) {
        expect(messageOf(decode(jsonDelivery({ content: 'hi' }, { contentType }))).content).to.equal('hi');
      }
    });

    it('defaults type to text and extra to null', () => {
      expect(messageOf(decode(jsonDelivery({ content: 'hi' })))).to.include({ type: 'text', extra: null });
      expect(messageOf(decode(jsonDelivery({ content: 'hi', extra: null }))).extra).to.equal(null);
    });

    it('takes the session from the exchange, never from the body', () => {
      const other = '9d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6';
      const result = decode(jsonDelivery({ content: 'hi', session_id: other, sessionId: other }));
      expect(messageOf(result).session_id).to.equal(SESSION_ID);
    });

    it('refuses a body that is not JSON', () => {
      expect(codeOf(delivery('{"content":', { contentType: 'application/json' }))).to.equal('invalid_json');
      expect(codeOf(delivery('', { contentType: 'application/json' }))).to.equal('invalid_json');
    });

    it('refuses JSON that is not UTF-8', () => {
      expect(
        codeOf(delivery(Buffer.from('{"content":"\xff"}', 'latin1'), { contentType: 'application/json' })),
      ).to.equal('invalid_utf8');
    });

    it('refuses JSON that is not an object with a string content', () => {
      for (const body of [[], 'hi', 42, null, {}, { content: 42 }, { text: 'hi' }]) {
        expect(codeOf(jsonDelivery(body)), JSON.stringify(body)).to.equal('invalid_body');
      }
    });

    it('refuses a bad type, extra or created_at', () => {
      expect(codeOf(jsonDelivery({ content: 'hi', type: 3 }))).to.equal('invalid_type');
      expect(codeOf(jsonDelivery({ content: 'hi', type: 'Shout' }))).to.equal('invalid_type');
      expect(codeOf(jsonDelivery({ content: 'hi', extra: [1] }))).to.equal('extra_not_object');
      expect(codeOf(jsonDelivery({ content: 'hi', extra: 'x' }))).to.equal('extra_not_object');
      expect(codeOf(jsonDelivery({ content: 'hi', extra: { k: 'x'.repeat(8193) } }))).to.equal('extra_too_large');
      expect(codeOf(jsonDelivery({ content: 'hi', created_at: 1_700_000_000 }))).to.equal('invalid_created_at');
    });

    it('refuses empty and too long content', () => {
      expect(codeOf(jsonDelivery({ content: ' \n ' }))).to.equal('content_empty');
      expect(codeOf(jsonDelivery({ content: 'x'.repeat(4001) }))).to.equal('content_too_long');
      expect(messageOf(decode(jsonDelivery({ content: 'x'.repeat(4000) }))).content).to.have.length(4000);
    });
  });

  describe('authors and times', () => {
    const created_at = '2024-05-06T07:08:09.123Z';
    const timestamp = 1_700_000_000;

    it("believes a trusted publisher's author headers and created_at", () => {
      const d = jsonDelivery(
        { content: 'hi', created_at },
        { userId: 'chat-api', timestamp, headers: authorHeaders() },
      );
      expect(messageOf(decode(d))).to.deep.include({
        author: { kind: 'user', id: USER_ID, username: 'alice' },
        created_at,
      });
    });

    it('makes a bot of a third party forging author headers and ignores its created_at', () => {
      const d = jsonDelivery({ content: 'hi', created_at }, { userId: 'bot', timestamp, headers: authorHeaders() });
      expect(messageOf(decode(d))).to.deep.include({
        author: { kind: 'bot', name: 'bot' },
        created_at: '2023-11-14T22:13:20.000Z',
      });
    });

    it('makes a system message without user_id', () => {
      const d = jsonDelivery({ content: 'maintenance at noon' }, { headers: authorHeaders() });
      expect(messageOf(decode(d)).author).to.equal(null);
    });

    it('trusts only the configured publishers', () => {
      const d = jsonDelivery({ content: 'hi' }, { userId: 'chat-api', headers: authorHeaders() });
      expect(messageOf(decode(d, [])).author).to.deep.equal({ kind: 'bot', name: 'chat-api' });
    });

    it("refuses a trusted publisher's broken author headers or created_at", () => {
      const headers = authorHeaders('nope');
      expect(codeOf(jsonDelivery({ content: 'hi' }, { userId: 'chat-api', headers }))).to.equal('invalid_author');
      const d = jsonDelivery({ content: 'hi', created_at: 'noon' }, { userId: 'chat-api', headers: authorHeaders() });
      expect(codeOf(d)).to.equal('invalid_created_at');
    });
  });

  describe('hostile input', () => {
    it('takes an extra 16 levels deep and refuses 17 as extra_too_deep', () => {
      const deepest = messageOf(decode(delivery(deepExtraBody(16), json)));
      expect(JSON.stringify(deepest.extra)).to.equal(JSON.stringify(JSON.parse(deepExtraBody(16)).extra));
      expect(codeOf(delivery(deepExtraBody(17), json))).to.equal('extra_too_deep');
      expect(codeOf(delivery('{"content":"hi","extra":{"a":[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]}}', json))).to.equal(
        'extra_too_deep',
      );
    });

    it('refuses an extra nested thousands of levels deep (8 KB) as extra_too_deep, not a stack overflow', () => {
      for (const depth of [1250, 5000, 10_900]) {
        const d = delivery(deepExtraBody(depth), json);
        expect(d.content.length).to.be.at.most(65_536);
        expect(codeOf(d)).to.equal('extra_too_deep');
      }
      const arrays = `{"content":"hi","extra":{"a":${'['.repeat(30_000)}${']'.repeat(30_000)}}}`;
      expect(codeOf(delivery(arrays, json))).to.equal('extra_too_deep');
    });

    it('ignores a deep field it does not read, and refuses a deep content as invalid_body', () => {
      const ignored = `{"content":"hi","other":${'['.repeat(30_000)}${']'.repeat(30_000)}}`;
      expect(messageOf(decode(delivery(ignored, json))).content).to.equal('hi');
      const content = `{"content":${'['.repeat(30_000)}${']'.repeat(30_000)}}`;
      expect(codeOf(delivery(content, json))).to.equal('invalid_body');
    });

    it('refuses event data nested more than 32 levels as invalid_body', () => {
      const trusted = { type: 'read', userId: 'chat-api' } as const;
      const shallow = decode(delivery(`{"a":${'['.repeat(31)}${']'.repeat(31)}}`, trusted));
      expect(shallow.ok && shallow.kind).to.equal('event');
      expect(codeOf(delivery(`{"a":${'['.repeat(32)}${']'.repeat(32)}}`, trusted))).to.equal('invalid_body');
      expect(codeOf(delivery(`${'['.repeat(30_000)}${']'.repeat(30_000)}`, trusted))).to.equal('invalid_body');
    });

    it('turns anything else thrown while decoding into undecodable, never an exception', () => {
      const failed = failure(decode(throwingDelivery()));
      expect(failed).to.deep.equal({
        ok: false,
        code: 'undecodable',
        detail: 'decoding failed unexpectedly (TypeError)',
      });
    });
  });

  describe('ids and sessions', () => {
    it('uses a UUID message_id, lower-cased, and derives one when absent', () => {
      expect(messageOf(decode(delivery('hi', { messageId: MESSAGE_ID.toUpperCase() }))).id).to.equal(MESSAGE_ID);
      const derived = messageOf(decode(delivery('hi', { timestamp: 1_700_000_000 }))).id;
      expect(messageOf(decode(delivery('hi', { timestamp: 1_700_000_000 }))).id).to.equal(derived);
    });

    it('refuses a message_id that is not a UUID', () => {
      expect(codeOf(delivery('hi', { messageId: 'msg-1' }))).to.equal('invalid_message_id');
    });

    it('lower-cases the session id', () => {
      const d: DeliveryLike = {
        ...delivery('hi'),
        fields: { exchange: names.sessionExchange(SESSION_ID.toUpperCase()) },
      };
      expect(decode(d)).to.include({ sessionId: SESSION_ID });
    });

    it('refuses a delivery that is not from a session exchange', () => {
      for (const exchange of ['', 'warren.messages', 'warren.session.', 'warren.session.general', `x.${EXCHANGE}`]) {
        expect(codeOf(delivery('hi', {}, exchange)), exchange).to.equal('not_a_session');
      }
    });
  });

  describe('body size', () => {
    /** A valid JSON message body of exactly `bytes` bytes, padded with an ignored field. */
    const bodyOfBytes = (bytes: number) => {
      const json = JSON.stringify({ content: 'hi', pad: 'x'.repeat(bytes - '{"content":"hi","pad":""}'.length) });
      expect(Buffer.byteLength(json)).to.equal(bytes);
      return delivery(json, { contentType: 'application/json' });
    };

    it('accepts 64 KiB and refuses one byte more', () => {
      expect(decode(bodyOfBytes(65_536)).ok).to.equal(true);
      expect(codeOf(bodyOfBytes(65_537))).to.equal('body_too_large');
    });

    it('refuses a large event too', () => {
      const d = delivery(`"${'x'.repeat(65_536)}"`, { type: 'typing', userId: 'chat-api' });
      expect(codeOf(d)).to.equal('body_too_large');
    });
  });

  describe('the type property', () => {
    it('absent, empty or message means a chat message', () => {
      for (const type of [undefined, '', 'message']) expect(decode(delivery('hi', { type })).ok).to.equal(true);
    });

    it('a session event from a trusted publisher is an event with its JSON data', () => {
      const data = { session_id: SESSION_ID, user: { id: USER_ID, username: 'alice' }, version: 3 };
      for (const event of sessionEventTypes.filter((type) => !isMessageChangeEvent(type))) {
        const d = delivery(JSON.stringify(data), { type: event, userId: 'chat-api' });
        expect(decode(d)).to.deep.equal({ ok: true, kind: 'event', sessionId: SESSION_ID, event, data, change: null });
      }
    });

    it('parses event bodies as JSON whatever the content type', () => {
      expect(codeOf(delivery('not json', { type: 'typing', userId: 'chat-api', contentType: 'text/plain' }))).to.equal(
        'invalid_json',
      );
    });

    it('refuses an event from a bot or without user_id, so joins cannot be forged', () => {
      const body = JSON.stringify({ session_id: SESSION_ID, user: { id: USER_ID, username: 'mallory' }, version: 9 });
      expect(codeOf(delivery(body, { type: 'member.joined', userId: 'bot' }))).to.equal('untrusted_event');
      expect(codeOf(delivery(body, { type: 'member.joined' }))).to.equal('untrusted_event');
    });

    it('refuses any other type', () => {
      for (const type of ['chat', 'Message', 'member.kicked', 'user.registered', 5]) {
        expect(codeOf(delivery('hi', { type, userId: 'chat-api' })), String(type)).to.equal('unknown_message_type');
      }
    });
  });

  describe('reply_to in a message body', () => {
    it('is null when the body has none or null', () => {
      expect(messageOf(decode(jsonDelivery({ content: 'hi' }))).reply_to).to.equal(null);
      expect(messageOf(decode(jsonDelivery({ content: 'hi', reply_to: null }))).reply_to).to.equal(null);
    });

    it('keeps the id of the message replied to, lower-cased, from any producer', () => {
      const body = { content: 'me too', reply_to: ROOT_ID.toUpperCase() };
      expect(messageOf(decode(jsonDelivery(body, { userId: 'bot' }))).reply_to).to.equal(ROOT_ID);
      const trusted = { userId: 'chat-api', headers: authorHeaders() };
      expect(messageOf(decode(jsonDelivery(body, trusted)))).to.deep.include({
        reply_to: ROOT_ID,
        ...NEW_MESSAGE_STATE,
      });
    });

    it('refuses a reply_to that is not a UUID as invalid_reply_to', () => {
      for (const reply_to of ['', 'last', 7, { id: ROOT_ID }, [ROOT_ID]]) {
        expect(codeOf(jsonDelivery({ content: 'hi', reply_to })), JSON.stringify(reply_to)).to.equal(
          'invalid_reply_to',
        );
      }
    });

    it('is no field of a plain-text body', () => {
      const text = JSON.stringify({ content: 'hi', reply_to: ROOT_ID });
      expect(messageOf(decode(delivery(text, { contentType: 'text/plain' }))).reply_to).to.equal(null);
    });
  });

  describe('an event that changes a stored message', () => {
    const trusted = { userId: 'chat-api', messageId: MESSAGE_ID };
    const edited = { session_id: SESSION_ID, message_id: ROOT_ID, content: 'fixed', edited_at: '2024-05-06T07:08:10Z' };

    it('from a trusted publisher is an event with its data and the change, checked', () => {
      const result = decode(delivery(JSON.stringify(edited), { ...trusted, type: 'message.edited' }));
      expect(result).to.deep.equal({
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
    });

    it('gives each of the four its change', () => {
      const reaction = {
        session_id: SESSION_ID,
        message_id: ROOT_ID,
        emoji: '👍',
        user: { id: USER_ID, username: 'alice' },
      };
      const bodies = {
        'message.edited': edited,
        'message.deleted': { session_id: SESSION_ID, message_id: ROOT_ID, deleted_at: '2024-05-06T07:08:11Z' },
        'reaction.added': reaction,
        'reaction.removed': reaction,
      };
      const kinds = {
        'message.edited': 'edit',
        'message.deleted': 'delete',
        'reaction.added': 'reaction',
        'reaction.removed': 'reaction',
      };
      for (const [type, body] of Object.entries(bodies)) {
        const result = decode(delivery(JSON.stringify(body), { ...trusted, type }));
        if (!result.ok || result.kind !== 'event') expect.fail(`${type}: ${JSON.stringify(result)}`);
        expect(result.change, type).to.deep.include({ kind: kinds[type as keyof typeof kinds], messageId: ROOT_ID });
      }
    });

    it('is refused from a bot or without user_id: nobody but chat-api may change history', () => {
      const body = JSON.stringify(edited);
      expect(codeOf(delivery(body, { type: 'message.edited', userId: 'bot' }))).to.equal('untrusted_event');
      expect(codeOf(delivery(body, { type: 'message.deleted', userId: 'bot' }))).to.equal('untrusted_event');
      expect(codeOf(delivery(body, { type: 'reaction.added' }))).to.equal('untrusted_event');
    });

    it('is refused as invalid_event when a trusted publisher sends a malformed body', () => {
      const bad = [
        { type: 'message.edited', body: { ...edited, message_id: 'msg-1' } },
        { type: 'message.edited', body: { ...edited, session_id: ROOT_ID } },
        { type: 'message.deleted', body: { session_id: SESSION_ID, message_id: ROOT_ID } },
        { type: 'reaction.added', body: { session_id: SESSION_ID, message_id: ROOT_ID, emoji: 'a b', user: {} } },
        { type: 'reaction.removed', body: [] },
      ];
      for (const { type, body } of bad) {
        expect(codeOf(delivery(JSON.stringify(body), { ...trusted, type })), type).to.equal('invalid_event');
      }
    });

    it('is refused with the content rule’s code when an edit’s content breaks it', () => {
      const body = JSON.stringify({ ...edited, content: '   ' });
      expect(codeOf(delivery(body, { ...trusted, type: 'message.edited' }))).to.equal('content_empty');
    });
  });

  it("accepts amqplib's ConsumeMessage as it is", () => {
    const message = amqpMessage('hi', { userId: 'bot' }, { exchange: EXCHANGE });
    const consumed: ConsumeMessage = { ...message, fields: { ...message.fields, consumerTag: 'c' } };
    expect(
      messageOf(decodeDelivery(consumed, { trustedPublishers: new Set(['chat-api']), receivedAt: RECEIVED_AT })),
    ).to.deep.include({ content: 'hi', author: { kind: 'bot', name: 'bot' } });
  });

  it('reports <code>: <detail> for the x-warren-error header', () => {
    const result = failure(decode(delivery('hi', { messageId: 'msg-1' })));
    expect(deadLetterReason(result)).to.equal('invalid_message_id: the message_id property is not a UUID');
  });

  it('produces every error code for some input', () => {
    const trusted = { userId: 'chat-api', headers: authorHeaders() };
    const cases: Record<EnvelopeErrorCode, () => EnvelopeProblem> = {
      not_a_session: () => failure(decode(delivery('hi', {}, 'amq.fanout'))),
      body_too_large: () => failure(decode(delivery('x'.repeat(65_537)))),
      invalid_message_id: () => failure(decode(delivery('hi', { messageId: 'x' }))),
      unknown_message_type: () => failure(decode(delivery('hi', { type: 'shout' }))),
      untrusted_event: () => failure(decode(delivery('{}', { type: 'read', userId: 'bot' }))),
      invalid_utf8: () => failure(decode(delivery(Buffer.from([0xff])))),
      invalid_json: () => failure(decode(delivery('{', { contentType: 'application/json' }))),
      invalid_body: () => failure(decode(jsonDelivery([]))),
      content_empty: () => failure(decode(delivery(' '))),
      content_too_long: () => failure(decode(delivery('x'.repeat(4001)))),
      content_invisible: () => failure(decode(delivery('\u200b'))),
      invalid_characters: () => failure(decode(delivery('\u0000'))),
      invalid_type: () => failure(decode(jsonDelivery({ content: 'hi', type: '' }))),
      extra_not_object: () => failure(decode(jsonDelivery({ content: 'hi', extra: [] }))),
      extra_too_large: () => failure(decode(jsonDelivery({ content: 'hi', extra: { k: 'x'.repeat(9000) } }))),
      extra_too_deep: () => failure(decode(delivery(deepExtraBody(17), json))),
      invalid_timestamp: () => failure(decode(delivery('hi', { timestamp: 1 }))),
      invalid_created_at: () => failure(decode(jsonDelivery({ content: 'hi', created_at: 'now' }, trusted))),
      invalid_author: () =>
        failure(
          decode(jsonDelivery({ content: 'hi' }, { userId: 'chat-api', headers: { 'x-warren-author-id': USER_ID } })),
        ),
      invalid_reply_to: () => failure(decode(jsonDelivery({ content: 'hi', reply_to: 'the last one' }))),
      invalid_event: () =>
        failure(decode(jsonDelivery({ session_id: SESSION_ID }, { type: 'message.deleted', userId: 'chat-api' }))),
      undecodable: () => failure(decode(throwingDelivery())),
    };
    expect(Object.keys(cases)).to.have.members([...envelopeErrorCodes]);
    for (const code of envelopeErrorCodes) {
      const problem = cases[code]();
      expect(problem.code).to.equal(code);
      expect(problem.detail).to.be.a('string').and.not.equal('');
    }
  });
});
