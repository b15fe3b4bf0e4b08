import { expect } from 'chai';
import { MAX_MESSAGE_LENGTH, messageProblem } from '../../src/lib/validation.ts';

describe('message content in the composer', () => {
  it('takes text with something to read, emoji and scripts included', () => {
    for (const text of ['hi', '  hello  ', '👍', 'שלום', '\u200bword\u200b', 'x'.repeat(MAX_MESSAGE_LENGTH)]) {
      expect(messageProblem(text), JSON.stringify(text)).to.equal(undefined);
    }
  });

  it('refuses text made only of white space and format characters, as the server does', () => {
    expect(messageProblem('')).to.equal('Write something first.');
    expect(messageProblem(' \n\t ')).to.equal('Write something first.');
    // Zero-width space, joiner and non-joiner, word joiner, BOM, soft hyphen, LRM, with a no-break space.
    for (const text of ['\u200b', '\u200b\u200c\u200d', '\u2060 \ufeff', '\u00ad', '\u200e\u00a0\u200b']) {
      expect(messageProblem(text), JSON.stringify(text)).to.equal(
        'Only invisible characters: a message needs something to read.',
      );
    }
  });

  it('refuses more than the limit once trimmed, counting characters, not UTF-16 units', () => {
    expect(messageProblem(`  ${'x'.repeat(MAX_MESSAGE_LENGTH + 1)}  `)).to.equal(
      'A message can have at most 4000 characters.',
    );
    expect(messageProblem('😀'.repeat(MAX_MESSAGE_LENGTH))).to.equal(undefined);
  });
});
