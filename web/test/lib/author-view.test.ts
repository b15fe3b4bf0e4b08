import { expect } from 'chai';
import { authorView, groupKey, previewPrefix } from '../../src/lib/author-view.ts';

describe('how a message author is shown', () => {
  it('shows a message without an author as from an unverified sender, never as from Warren', () => {
    const view = authorView(null);
    expect(view).to.include({ kind: 'unverified', name: 'Unknown sender', tag: 'unverified' });
    expect(view.why).to.include('nobody vouches for who wrote it');
    expect(`${view.name} ${view.tag}`).not.to.match(/warren|system/i);
    expect(previewPrefix(null, 'me')).to.equal('Unverified sender: ');
  });

  it('never groups unverified messages, so each one carries its label', () => {
    expect(groupKey(null)).to.equal(undefined);
    expect(groupKey({ kind: 'bot', name: 'ci' })).to.equal('bot:ci');
    expect(groupKey({ kind: 'user', id: 'u1', username: 'alice' })).to.equal('user:u1');
  });

  it('names bots with a bot tag and people by their username', () => {
    expect(authorView({ kind: 'bot', name: 'ci' })).to.include({ kind: 'bot', name: 'ci', tag: 'bot' });
    expect(authorView({ kind: 'user', id: 'u1', username: 'alice' })).to.deep.equal({ kind: 'user', name: 'alice' });
    expect(previewPrefix({ kind: 'user', id: 'u1', username: 'alice' }, 'u1')).to.equal('You: ');
    expect(previewPrefix({ kind: 'user', id: 'u1', username: 'alice' }, 'u2')).to.equal('alice: ');
    expect(previewPrefix({ kind: 'bot', name: 'ci' }, 'u2')).to.equal('ci: ');
  });
});
