import { expect } from 'chai';
import { type SnippetPart, snippetOf } from '../../src/lib/snippet.ts';

const marked = (parts: readonly SnippetPart[]) => parts.filter((part) => part.match).map((part) => part.text);
const whole = (parts: readonly SnippetPart[]) => parts.map((part) => part.text).join('');

describe('search snippets', () => {
  it('marks the words of the query, case- and accent-insensitively', () => {
    const parts = snippetOf('Le Café est ouvert, café noir', 'cafe NOIR');
    expect(marked(parts)).to.deep.equal(['Café', 'café', 'noir']);
    expect(whole(parts)).to.equal('Le Café est ouvert, café noir');
  });

  it('marks whole words only, as the search matches them (no stems, no prefixes)', () => {
    expect(marked(snippetOf('deploys redeploy deploy, deploy-bot', 'deploy'))).to.deep.equal(['deploy', 'deploy']);
  });

  it('cuts a long text to start a little before the first match, with … where cut', () => {
    const text = `${'lorem '.repeat(50)}needle${' ipsum'.repeat(50)}`;
    const parts = snippetOf(text, 'needle', 100);
    const shown = whole(parts);
    expect(shown.startsWith('…')).to.equal(true);
    expect(shown.endsWith('…')).to.equal(true);
    expect(marked(parts)).to.deep.equal(['needle']);
    expect([...shown].length).to.be.at.most(102);
  });

  it('shows a short text whole, and nothing marked for a query of no words', () => {
    expect(snippetOf('hello world', '!!!')).to.deep.equal([{ text: 'hello world', match: false }]);
  });

  it('keeps emoji and other characters of more than one code unit whole', () => {
    expect(whole(snippetOf('🎉 party 🎉', 'party'))).to.equal('🎉 party 🎉');
    expect(marked(snippetOf('🎉 party 🎉', 'party'))).to.deep.equal(['party']);
  });
});
