import { expect } from 'chai';
import fc from 'fast-check';
import { names, sessionEventTypes } from '../../src/amqp/topology.ts';
import {
  type DeliveryLike,
  type DeliveryProperties,
  decodeDelivery,
  envelopeErrorCodes,
  isMessageChangeEvent,
} from '../../src/envelope/index.ts';
import { EXCHANGE, MESSAGE_ID, RECEIVED_AT, ROOT_ID, SESSION_ID, TRUSTED, USER_ID } from './fixtures.ts';

/** Anything a property could hold, from a well-formed value to a type no AMQP decoder gives. */
const loose = (...likely: fc.Arbitrary<unknown>[]): fc.Arbitrary<unknown> =>
  fc.oneof(fc.constant(undefined), fc.constant(null), ...likely, fc.anything());

const properties: fc.Arbitrary<DeliveryProperties> = fc.record({
  messageId: loose(fc.constant(MESSAGE_ID), fc.uuid(), fc.string()),
  type: loose(fc.constant('message'), fc.constantFrom(...sessionEventTypes), fc.string()),
  userId: loose(fc.constantFrom(...TRUSTED), fc.constant('bot'), fc.string()),
  timestamp: loose(
    fc.integer({ min: 946_684_800, max: 253_402_300_799 }),
    fc.maxSafeInteger(),
    fc.double(),
    fc.bigInt(),
  ),
  contentType: loose(fc.constant('application/json'), fc.constant('text/plain'), fc.string()),
  headers: fc.option(
    fc.oneof(
      fc.record({
        'x-warren-author-id': loose(
          fc.constant(USER_ID),
          fc.string(),
          fc.uint8Array().map((b) => Buffer.from(b)),
        ),
        'x-warren-author-name': loose(
          fc.constant('alice'),
          fc.string(),
          fc.uint8Array().map((b) => Buffer.from(b)),
        ),
      }),
      fc.dictionary(fc.string(), fc.anything()),
    ),
    { nil: undefined },
  ),
});

/** Containers nested `depth` deep, written as text: the way a hostile producer sends them. */
const nestedText = fc
  .record({
    depth: fc.integer({ min: 1, max: 12_000 }),
    open: fc.constantFrom('[', '{"a":', '[{"b":'),
  })
  .map(({ depth, open }) => {
    const close = open === '[' ? ']' : open === '{"a":' ? '}' : '}]';
    return `${open.repeat(depth)}1${close.repeat(depth)}`;
  });

/** JSON values: arbitrary ones, and deep ones. */
const jsonText = fc.oneof(fc.json(), nestedText);

/** A message body as a producer might write it, every field possibly wrong or deep. */
const messageBody = fc
  .record({
    content: fc.oneof(
      fc.string().map((s) => JSON.stringify(s)),
      fc.string({ unit: 'binary' }).map((s) => JSON.stringify(s)),
      jsonText,
    ),
    type: fc.option(fc.oneof(fc.constant('"text"'), jsonText), { nil: undefined }),
    extra: fc.option(
      fc.oneof(
        jsonText,
        nestedText.map((text) => `{"k":${text}}`),
      ),
      { nil: undefined },
    ),
    created_at: fc.option(
      fc.oneof(
        fc.date().map((d) => JSON.stringify(d)),
        jsonText,
      ),
      { nil: undefined },
    ),
    reply_to: fc.option(
      fc.oneof(
        fc.constant('null'),
        fc.uuid().map((id) => JSON.stringify(id.toUpperCase())),
        jsonText,
      ),
      { nil: undefined },
    ),
    other: fc.option(jsonText, { nil: undefined }),
  })
  .map(objectText);

/** A JSON string, or any JSON in its place. */
const stringOr = (...likely: fc.Arbitrary<string>[]): fc.Arbitrary<string> =>
  fc.oneof(...likely.map((text) => text.map((value) => JSON.stringify(value))), jsonText);

/** The body of an edit, a delete or a reaction (any of them, whatever the `type`), every field possibly wrong. */
const changeBody = fc
  .record({
    session_id: fc.option(stringOr(fc.constant(SESSION_ID), fc.uuid()), { nil: undefined }),
    message_id: fc.option(stringOr(fc.constant(ROOT_ID), fc.uuid()), { nil: undefined }),
    content: fc.option(stringOr(fc.string(), fc.string({ unit: 'binary' })), { nil: undefined }),
    edited_at: fc.option(stringOr(fc.date({ noInvalidDate: true }).map((d) => d.toISOString())), { nil: undefined }),
    deleted_at: fc.option(stringOr(fc.date({ noInvalidDate: true }).map((d) => d.toISOString())), { nil: undefined }),
    emoji: fc.option(stringOr(fc.constantFrom('👍', 'thumbsup', '❤️'), fc.string({ unit: 'grapheme' })), {
      nil: undefined,
    }),
    user: fc.option(
      fc.oneof(
        fc.constant(JSON.stringify({ id: USER_ID, username: 'alice' })),
        fc.record({ id: fc.uuid(), username: fc.string() }).map((user) => JSON.stringify(user)),
        jsonText,
      ),
      { nil: undefined },
    ),
  })
  .map(objectText);

/** A JSON object written from the JSON text of its fields; absent fields are left out. */
function objectText(fields: Readonly<Record<string, string | undefined>>): string {
  const parts = Object.entries(fields).flatMap(([key, value]) => (value === undefined ? [] : [`"${key}":${value}`]));
  return `{${parts.join(',')}}`;
}

/** Body bytes: structured JSON, deep JSON, arbitrary text (also lone surrogates) and arbitrary bytes. */
const content = fc.oneof(
  messageBody.map((text) => Buffer.from(text, 'utf8')),
  changeBody.map((text) => Buffer.from(text, 'utf8')),
  jsonText.map((text) => Buffer.from(text, 'utf8')),
  fc.string({ unit: 'binary' }).map((text) => Buffer.from(text, 'utf8')),
  fc.string({ unit: 'grapheme' }).map((text) => Buffer.from(text, 'utf8')),
  fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.from(bytes)),
);

const deliveries: fc.Arbitrary<DeliveryLike> = fc.record({
  fields: fc.record({
    exchange: fc.oneof(fc.constant(EXCHANGE), fc.uuid().map(names.sessionExchange), fc.string()),
  }),
  properties,
  content,
});

describe('envelope decodeDelivery, over arbitrary deliveries', () => {
  it('returns a message, an event or a validation failure, and never throws', () => {
    fc.assert(
      fc.property(deliveries, (delivery) => {
        const result = decodeDelivery(delivery, { trustedPublishers: TRUSTED, receivedAt: RECEIVED_AT });
        if (result.ok) {
          expect(result.kind).to.be.oneOf(['message', 'event']);
          if (result.kind === 'message') {
            const replyTo = result.message.reply_to;
            if (replyTo !== null) expect(replyTo).to.match(/^[0-9a-f-]{36}$/);
          } else if (isMessageChangeEvent(result.event)) {
            // What the persister would apply is always checked; the gateway delivers only what it would.
            expect(result.change).to.include({ sessionId: result.sessionId });
          } else {
            expect(result.change).to.equal(null);
          }
          // What consumers do next (a gateway's frame, the persister's row) must not overflow either.
          expect(JSON.stringify(result)).to.be.a('string');
        } else {
          expect(envelopeErrorCodes).to.include(result.code);
          // A real rule said no: `undecodable` would mean something threw that no rule expects.
          expect(result.code).to.not.equal('undecodable');
          expect(result.detail).to.be.a('string').and.not.equal('');
        }
      }),
      { numRuns: 600 },
    );
  });

  it('judges an extra nested up to thousands of levels by its depth alone', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.constantFrom('[', '{"a":'), (depth, open) => {
        const close = open === '[' ? ']' : '}';
        const body = `{"content":"hi","extra":{"k":${open.repeat(depth - 1)}1${close.repeat(depth - 1)}}}`;
        const delivery = {
          fields: { exchange: EXCHANGE },
          properties: { contentType: 'application/json' },
          content: Buffer.from(body),
        };
        const result = decodeDelivery(delivery, { trustedPublishers: TRUSTED, receivedAt: RECEIVED_AT });
        // `extra` is the first level and `k` holds depth − 1 more: `depth` levels in all.
        if (depth <= 16) expect(result.ok, String(depth)).to.equal(true);
        else expect(result).to.include({ ok: false, code: 'extra_too_deep' });
      }),
      { numRuns: 300 },
    );
  });
});
