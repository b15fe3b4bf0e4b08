import { expect } from 'chai';
import fc from 'fast-check';
import {
  contentOf,
  DEFAULT_MESSAGE_TYPE,
  EnvelopeError,
  encodeChatMessage,
  extraOf,
  NEW_MESSAGE_STATE,
} from '../../src/envelope/index.ts';
import { limits } from '../../src/limits.ts';
import { receive, type UserMessage } from './fixtures.ts';

/** The value a rule keeps, or undefined when it refuses it: the field rules decide what is valid. */
function kept<T>(rule: () => T): T | undefined {
  try {
    return rule();
  } catch (error) {
    if (error instanceof EnvelopeError) return undefined;
    throw error;
  }
}

/** Text of every kind around a visible character, so some survive the content rule and some trim. */
const content = fc
  .tuple(
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
  )
  .map((parts) => kept(() => contentOf(parts.join(''))))
  .filter((text): text is string => text !== undefined);

/** Extra as chat-api keeps it: a shallow JSON object, as JSON would carry it, that the rule accepts. */
const extra = fc.oneof(
  fc.constant(null),
  fc
    .dictionary(fc.string({ unit: 'binary', maxLength: 12 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 })
    .map((object) => kept(() => extraOf(JSON.parse(JSON.stringify(object)))))
    .filter((object): object is Readonly<Record<string, unknown>> => object !== undefined),
);

/** Every valid message a chat user can post: each field drawn from the domain of its rule, new as posted. */
const userMessages: fc.Arbitrary<UserMessage> = fc
  .record({
    id: fc.uuid(),
    session_id: fc.uuid(),
    author: fc.record({
      kind: fc.constant('user' as const),
      id: fc.uuid(),
      username: fc.stringMatching(limits.username.pattern),
    }),
    type: fc.oneof(fc.constant(DEFAULT_MESSAGE_TYPE), fc.stringMatching(limits.messageType)),
    content,
    extra,
    created_at: fc
      .date({
        min: new Date(Date.UTC(limits.timestampYears.min, 0, 1)),
        max: new Date(Date.UTC(limits.timestampYears.max + 1, 0, 1) - 1),
        noInvalidDate: true,
      })
      .map((date) => date.toISOString()),
    reply_to: fc.option(fc.uuid(), { nil: null }),
  })
  .map((fields) => ({ ...fields, ...NEW_MESSAGE_STATE }));

describe('envelope encodeChatMessage, over every valid message', () => {
  it('round-trips: decodeDelivery(encodeChatMessage(m)) is exactly m', () => {
    fc.assert(
      fc.property(userMessages, (message) => {
        const out = encodeChatMessage({ message, publisher: 'chat-api' });
        expect(receive(out)).to.deep.equal({ ok: true, kind: 'message', sessionId: message.session_id, message });
      }),
      { numRuns: 500 },
    );
  });
});
