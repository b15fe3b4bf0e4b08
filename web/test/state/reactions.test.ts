import { expect } from 'chai';
import type { Reaction } from '../../src/api/types.ts';
import { reactedWith, withReaction } from '../../src/state/reactions.ts';

const thumbs = (count: number, me: boolean): Reaction => ({ emoji: '👍', count, me });
const party = (count: number, me: boolean): Reaction => ({ emoji: '🎉', count, me });

describe('reactions', () => {
  it('adds a new emoji last, with me for the caller', () => {
    expect(withReaction([thumbs(2, false)], '🎉', true, true)).to.deep.equal([thumbs(2, false), party(1, true)]);
    expect(withReaction([], '🎉', true, false)).to.deep.equal([party(1, false)]);
  });

  it("counts another user's reaction, keeping the caller's me and the emoji's place", () => {
    const reactions = [thumbs(1, true), party(3, false)];
    expect(withReaction(reactions, '👍', true, false)).to.deep.equal([thumbs(2, true), party(3, false)]);
    expect(withReaction(reactions, '🎉', false, false)).to.deep.equal([thumbs(1, true), party(2, false)]);
  });

  it("counts the caller's own change once, however often it is heard", () => {
    const once = withReaction([thumbs(1, false)], '👍', true, true);
    expect(once).to.deep.equal([thumbs(2, true)]);
    expect(withReaction(once, '👍', true, true)).to.equal(once);
    const off = withReaction(once, '👍', false, true);
    expect(off).to.deep.equal([thumbs(1, false)]);
    expect(withReaction(off, '👍', false, true)).to.equal(off);
  });

  it('drops an emoji whose count reaches 0, and ignores removing one that is not there', () => {
    expect(withReaction([thumbs(1, true), party(1, false)], '👍', false, true)).to.deep.equal([party(1, false)]);
    const reactions = [thumbs(1, false)];
    expect(withReaction(reactions, '🎉', false, false)).to.equal(reactions);
  });

  it("never counts below 1 while the caller is among them (another's removal heard twice)", () => {
    expect(withReaction([thumbs(1, true)], '👍', false, false)).to.deep.equal([thumbs(1, true)]);
  });

  it('says whether the caller reacted with an emoji', () => {
    expect(reactedWith([thumbs(2, true), party(1, false)], '👍')).to.equal(true);
    expect(reactedWith([thumbs(2, true), party(1, false)], '🎉')).to.equal(false);
    expect(reactedWith([], '🎉')).to.equal(false);
  });
});
