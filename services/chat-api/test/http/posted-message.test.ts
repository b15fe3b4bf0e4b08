import { SharedErrors, type WarrenError } from '@warren/shared/errors';
import { expect } from 'chai';
import { postedMessageOf } from '../../src/http/posted-message.ts';

/** The 400 `postedMessageOf` throws for a body. */
function refusal(body: unknown): WarrenError {
  try {
    postedMessageOf(body);
  } catch (error) {
    expect(error).to.be.instanceOf(SharedErrors.invalidRequest);
    return error as WarrenError;
  }
  throw new Error('the body was accepted');
}

describe('a posted message, checked once', () => {
  it('holds each field to the envelope rules: content trimmed, the default type, extra as JSON carries it', () => {
    const id = 'A1B2C3D4-0000-4000-8000-000000000001';
    const replyTo = '0190A000-0000-7000-8000-0000000000AA';
    expect(
      postedMessageOf({ content: '  hi  ', extra: { n: -0, gone: undefined }, id, reply_to: replyTo }),
    ).to.deep.equal({
      content: 'hi',
      type: 'text',
      extra: { n: 0 },
      id: id.toLowerCase(),
      reply_to: replyTo.toLowerCase(),
    });
    expect(postedMessageOf({ content: 'x', type: 'note' })).to.deep.equal({
      content: 'x',
      type: 'note',
      extra: null,
      reply_to: null,
    });
    expect(postedMessageOf({ content: 'x', reply_to: null }).reply_to).to.equal(null);
  });

  it('answers 400 naming the field whose shape is wrong', () => {
    const error = refusal({ content: 7 });
    expect(error.message).to.equal('the request body is invalid');
    expect(error.errors?.map((problem) => problem.field)).to.deep.equal(['content']);
  });

  it("answers 400 naming the field an envelope rule refuses, in the rule's words", () => {
    for (const [body, field] of [
      [{ content: '   ' }, 'content'],
      [{ content: 'x', type: 'No Spaces' }, 'type'],
      [{ content: 'x', extra: [1] }, 'extra'],
      [{ content: 'x', reply_to: 'not-a-uuid' }, 'reply_to'],
      [{ content: 'x', reply_to: 42 }, 'reply_to'],
    ] as const) {
      const error = refusal(body);
      const [problem] = error.errors ?? [];
      expect(problem?.field).to.equal(field);
      expect(error.message).to.equal(`the request body is invalid: ${problem?.message}`);
    }
  });
});
