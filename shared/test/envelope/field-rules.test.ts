import { expect } from 'chai';
import { contentOf, emojiOf, extraOf, messageTypeOf, replyToOf } from '../../src/envelope/index.ts';
import { thrownCode } from './fixtures.ts';

describe('envelope field rules', () => {
  describe('contentOf', () => {
    it('trims white space and line terminators at both ends', () => {
      expect(contentOf('  \n\t hello  world \r\n\u00a0\u2003')).to.equal('hello  world');
    });

    it('refuses content that is empty after trimming', () => {
      expect(thrownCode(() => contentOf(''))).to.equal('content_empty');
      expect(thrownCode(() => contentOf(' \n\t\u3000 '))).to.equal('content_empty');
    });

    it('accepts 4000 characters and refuses 4001, after trimming', () => {
      expect(contentOf('a'.repeat(4000))).to.have.length(4000);
      expect(contentOf(` ${'a'.repeat(4000)}\n`)).to.have.length(4000);
      expect(thrownCode(() => contentOf('a'.repeat(4001)))).to.equal('content_too_long');
    });

    it('counts characters as code points: 4000 emoji fit', () => {
      expect(contentOf('😀'.repeat(4000))).to.have.length(8000);
      expect(thrownCode(() => contentOf('😀'.repeat(4001)))).to.equal('content_too_long');
    });

    it('refuses U+0000 and lone surrogates, which PostgreSQL cannot store', () => {
      expect(thrownCode(() => contentOf('a\u0000b'))).to.equal('invalid_characters');
      expect(thrownCode(() => contentOf('a\ud83db'))).to.equal('invalid_characters');
      expect(thrownCode(() => contentOf('a\ude00'))).to.equal('invalid_characters');
    });

    it('refuses content made only of invisible characters as content_invisible', () => {
      const invisible = [
        '\u200b',
        '\u200c\u200d\u2060',
        '\u200b \u200b',
        '\u00ad\u061c\u200e\u200f\u202e',
        '\ufe0f\u034f\u180b',
        '\u{e0100}\u{e0001}',
        '\u115f\u1160\u3164\uffa0',
        '\u2800\u2800',
        '\u0001\u007f\u0085',
      ];
      for (const text of invisible)
        expect(
          thrownCode(() => contentOf(text)),
          JSON.stringify(text),
        ).to.equal('content_invisible');
    });

    it('keeps invisible characters beside a visible one, and counts marks and emoji as visible', () => {
      expect(contentOf('\u200bhi\u200b')).to.equal('\u200bhi\u200b');
      expect(contentOf('👍\ufe0f')).to.equal('👍\ufe0f');
      expect(contentOf('\u0301')).to.equal('\u0301');
      expect(contentOf('\ue000')).to.equal('\ue000');
    });
  });

  describe('messageTypeOf', () => {
    it('defaults to text', () => {
      expect(messageTypeOf(undefined)).to.equal('text');
    });

    it('accepts 1 to 32 of a-z 0-9 . _ -', () => {
      expect(messageTypeOf('image')).to.equal('image');
      expect(messageTypeOf('app.poll_v2-x')).to.equal('app.poll_v2-x');
      expect(messageTypeOf('a'.repeat(32))).to.equal('a'.repeat(32));
    });

    it('refuses anything else', () => {
      for (const type of ['', 'Text', 'a'.repeat(33), 'a b', 'é', 7, null]) {
        expect(thrownCode(() => messageTypeOf(type))).to.equal('invalid_type');
      }
    });
  });

  describe('extraOf', () => {
    it('is null when absent or null', () => {
      expect(extraOf(undefined)).to.equal(null);
      expect(extraOf(null)).to.equal(null);
    });

    it('keeps a JSON object', () => {
      const extra = { a: 1, nested: { list: [1, 'two'] } };
      expect(extraOf(extra)).to.equal(extra);
      expect(extraOf({})).to.deep.equal({});
    });

    it('refuses anything but an object', () => {
      for (const extra of [[], [1], 'x', 1, true])
        expect(thrownCode(() => extraOf(extra))).to.equal('extra_not_object');
    });

    /** An object whose compact JSON is exactly `bytes` long. */
    const extraOfBytes = (bytes: number) => ({ k: 'x'.repeat(bytes - '{"k":""}'.length) });

    it('accepts 8 KiB serialized and refuses one byte more', () => {
      expect(Buffer.byteLength(JSON.stringify(extraOfBytes(8192)))).to.equal(8192);
      expect(extraOf(extraOfBytes(8192))).to.deep.equal(extraOfBytes(8192));
      expect(thrownCode(() => extraOf(extraOfBytes(8193)))).to.equal('extra_too_large');
    });

    it('counts UTF-8 bytes, not characters', () => {
      const extra = { k: 'é'.repeat(4093) };
      expect(JSON.stringify(extra)).to.have.length(4101);
      expect(thrownCode(() => extraOf(extra))).to.equal('extra_too_large');
    });

    it('refuses U+0000 and lone surrogates in keys and strings', () => {
      expect(thrownCode(() => extraOf({ 'a\u0000': 1 }))).to.equal('invalid_characters');
      expect(thrownCode(() => extraOf({ a: ['ok', { b: '\ud800' }] }))).to.equal('invalid_characters');
      expect(extraOf({ a: '\\u0000 is fine as text' })).to.deep.equal({ a: '\\u0000 is fine as text' });
    });

    it('accepts 16 levels of objects and arrays and refuses 17 as extra_too_deep', () => {
      let sixteen: Record<string, unknown> = { leaf: 1 };
      for (let level = 1; level < 16; level++) sixteen = { a: sixteen };
      expect(extraOf(sixteen)).to.equal(sixteen);
      expect(thrownCode(() => extraOf({ a: sixteen }))).to.equal('extra_too_deep');
      expect(thrownCode(() => extraOf({ a: [[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]] }))).to.equal('extra_too_deep');
      expect(extraOf({ a: [[[[[[[[[[[[[[[]]]]]]]]]]]]]]] })).to.deep.equal({ a: [[[[[[[[[[[[[[[]]]]]]]]]]]]]]] });
    });

    it('measures depth before size, without recursion: a million levels is extra_too_deep', () => {
      const million = JSON.parse(`{"a":${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}}`);
      expect(thrownCode(() => extraOf(million))).to.equal('extra_too_deep');
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      expect(thrownCode(() => extraOf(cyclic))).to.equal('extra_too_deep');
    });
  });

  describe('emojiOf', () => {
    it('accepts an emoji or a short name, joiners and variation selectors included', () => {
      for (const emoji of ['👍', 'thumbsup', '👨\u200d👩\u200d👧', '❤️', '🏳️‍🌈', '+1', '👍🏽']) {
        expect(emojiOf(emoji), JSON.stringify(emoji)).to.equal(emoji);
      }
    });

    it('counts code points: 32 fit, 33 do not', () => {
      expect(emojiOf('😀'.repeat(32))).to.equal('😀'.repeat(32));
      expect(emojiOf('a'.repeat(32))).to.equal('a'.repeat(32));
      expect(thrownCode(() => emojiOf('😀'.repeat(33)))).to.equal('invalid_event');
      expect(thrownCode(() => emojiOf('a'.repeat(33)))).to.equal('invalid_event');
    });

    it('refuses what draws nothing: a joiner, a variation selector, a soft hyphen or a blank alone', () => {
      for (const emoji of ['\u200b', '\u200d', '\ufe0f', '\u00ad', '\u2800', '\u200d\ufe0f']) {
        expect(
          thrownCode(() => emojiOf(emoji)),
          JSON.stringify(emoji),
        ).to.equal('invalid_event');
      }
    });

    it('refuses empty text, white space, control characters and lone surrogates', () => {
      for (const emoji of ['', ' ', 'a b', '\t', ' 👍', '👍\n', '\u00a0', '\u3000', 'a\u0000', '\u007f', '\ud83d']) {
        expect(
          thrownCode(() => emojiOf(emoji)),
          JSON.stringify(emoji),
        ).to.equal('invalid_event');
      }
    });

    it('refuses anything but a string', () => {
      for (const emoji of [undefined, null, 1, ['👍'], { emoji: '👍' }]) {
        expect(
          thrownCode(() => emojiOf(emoji)),
          String(emoji),
        ).to.equal('invalid_event');
      }
    });
  });

  describe('replyToOf', () => {
    it('is null when absent or null', () => {
      expect(replyToOf(undefined)).to.equal(null);
      expect(replyToOf(null)).to.equal(null);
    });

    it('is the lower-case form of a UUID', () => {
      expect(replyToOf('018F3A2B-7C4D-7E5F-8A9B-0C1D2E3F4A5B')).to.equal('018f3a2b-7c4d-7e5f-8a9b-0c1d2e3f4a5b');
      expect(replyToOf('018f3a2b-7c4d-7e5f-8a9b-0c1d2e3f4a5b')).to.equal('018f3a2b-7c4d-7e5f-8a9b-0c1d2e3f4a5b');
    });

    it('refuses anything else as invalid_reply_to', () => {
      for (const value of [
        '',
        'msg-1',
        '018f3a2b7c4d7e5f8a9b0c1d2e3f4a5b',
        ' 018f3a2b-7c4d-7e5f-8a9b-0c1d2e3f4a5b',
        7,
        {},
        [],
      ]) {
        expect(
          thrownCode(() => replyToOf(value)),
          JSON.stringify(value),
        ).to.equal('invalid_reply_to');
      }
    });
  });
});
