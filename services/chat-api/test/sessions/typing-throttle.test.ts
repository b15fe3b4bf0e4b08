import { expect } from 'chai';
import { TypingThrottle } from '../../src/sessions/typing-throttle.ts';

describe('TypingThrottle', () => {
  let now = 0;
  const throttle = () => new TypingThrottle({ intervalMs: 2000, now: () => now });
  beforeEach(() => {
    now = 1_000_000;
  });

  /** What one throttle answers to Alice typing in one session after each of `gapsMs`, from the first. */
  const aliceAdmittedAfter = (gapsMs: number[]) => {
    const typing = throttle();
    return [0, ...gapsMs].map((gap) => {
      now += gap;
      return typing.admit('alice', 's1');
    });
  };

  it('admits the first typing of a user in a session and drops the rest of the interval', () => {
    expect(aliceAdmittedAfter([1, 1997])).to.deep.equal([true, false, false]);
  });

  it('admits again once the interval has passed, counting from the last admitted one', () => {
    expect(aliceAdmittedAfter([1500, 500, 1999])).to.deep.equal([true, false, true, false]);
  });

  it('counts each user and each session on its own', () => {
    const typing = throttle();
    expect(typing.admit('alice', 's1')).to.equal(true);
    expect(typing.admit('bob', 's1')).to.equal(true);
    expect(typing.admit('alice', 's2')).to.equal(true);
    expect(typing.admit('bob', 's1')).to.equal(false);
  });

  it('forgets whoever stopped typing, so memory follows the current typists', () => {
    const typing = throttle();
    for (let i = 0; i < 1000; i += 1) typing.admit(`user${i}`, 's1');
    now += 2000;
    expect(typing.admit('late', 's1')).to.equal(true);
    // Everyone above expired and was dropped; a user who typed then is admitted afresh.
    expect(typing.admit('user0', 's1')).to.equal(true);
  });
});
