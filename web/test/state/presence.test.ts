import { expect } from 'chai';
import type { Member, Session } from '../../src/api/types.ts';
import {
  answeredPresence,
  heardPresence,
  peerOfLastMessage,
  peerOfMembers,
  presenceOfMembers,
} from '../../src/state/presence.ts';
import { ME, messageOf, sessionOf } from '../support/chat-fixtures.ts';

const AT = '2026-12-02T12:00:00.000Z';

const member = (id: string, online: boolean, lastSeen: string | null = null): Member => ({
  user: { id, username: id },
  role: 'member',
  joined_at: AT,
  online,
  last_seen_at: lastSeen,
});

const direct = (last: Session['last_message']): Session => ({ ...sessionOf(last), kind: 'direct', owner_id: null });

describe('presence', () => {
  it('takes a heard event as the newest word on its user', () => {
    const book = heardPresence({}, { id: 'bob', online: true, last_seen_at: null }, 1);
    const next = heardPresence(book, { id: 'bob', online: false, last_seen_at: AT }, 2);
    expect(next).to.deep.equal({ bob: { online: false, last_seen_at: AT, learnedAt: 2 } });
    expect(book.bob?.online).to.equal(true);
  });

  it('takes an answer for users not heard of since the question was asked', () => {
    const book = heardPresence({}, { id: 'bob', online: true, last_seen_at: null }, 1);
    const next = answeredPresence(
      book,
      [
        { id: 'bob', online: false, last_seen_at: AT },
        { id: 'carol', online: true, last_seen_at: null },
      ],
      2,
      3,
    );
    expect(next).to.deep.equal({
      bob: { online: false, last_seen_at: AT, learnedAt: 3 },
      carol: { online: true, last_seen_at: null, learnedAt: 3 },
    });
  });

  it('keeps what was heard after the question: the answer may predate the event', () => {
    // Asked at 1; bob went offline, heard at 2; the answer (made before that) arrives at 3.
    const book = heardPresence({}, { id: 'bob', online: false, last_seen_at: AT }, 2);
    const next = answeredPresence(book, [{ id: 'bob', online: true, last_seen_at: null }], 1, 3);
    expect(next).to.equal(book);
  });

  it('reads presence from members, skipping members that carry none', () => {
    const old = { user: { id: 'old', username: 'old' }, role: 'member', joined_at: AT } as unknown as Member;
    expect(presenceOfMembers([member('bob', true), member('carol', false, AT), old])).to.deep.equal([
      { id: 'bob', online: true, last_seen_at: null },
      { id: 'carol', online: false, last_seen_at: AT },
    ]);
  });

  it("finds a direct chat's other user from a last message they wrote, never from one of mine", () => {
    const theirs = messageOf('m1', 1, { author: { kind: 'user', id: 'bob', username: 'bob' } });
    expect(peerOfLastMessage(direct(theirs), ME.id)).to.equal('bob');
    expect(peerOfLastMessage(direct(messageOf('m2', 2)), ME.id)).to.equal(undefined);
    expect(peerOfLastMessage(direct(null), ME.id)).to.equal(undefined);
    expect(peerOfLastMessage(sessionOf(theirs), ME.id)).to.equal(undefined);
  });

  it("finds a direct chat's other user from its members, null when only I am left", () => {
    expect(peerOfMembers([member(ME.id, true), member('bob', false)], ME.id)).to.equal('bob');
    expect(peerOfMembers([member(ME.id, true)], ME.id)).to.equal(null);
  });
});
