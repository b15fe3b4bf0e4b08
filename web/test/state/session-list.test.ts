import { expect } from 'chai';
import type { Message, Session } from '../../src/api/types.ts';
import {
  bumpSession,
  displayName,
  mergeLoadedSessions,
  removeSession,
  upsertSession,
} from '../../src/state/session-list.ts';

const session = (id: string, unread = 0): Session => ({
  id,
  kind: 'group',
  name: id,
  visibility: 'private',
  owner_id: null,
  created_at: '2026-01-01T00:00:00.000Z',
  bumped_at: '2026-01-01T00:00:00.000Z',
  version: 0,
  member_count: 2,
  last_message: null,
  unread_count: unread,
});
const message = (sessionId: string, id: string): Message => ({
  id,
  session_id: sessionId,
  author: { kind: 'bot', name: 'ci' },
  type: 'text',
  content: 'hi',
  extra: null,
  created_at: '2026-01-02T00:00:00.000Z',
  reply_to: null,
  reply_count: 0,
  edited_at: null,
  deleted_at: null,
  reactions: [],
});

describe('session list', () => {
  it('moves a session with a new message to the top, with that message and one more unread', () => {
    const bumped = bumpSession([session('a'), session('b', 2)], message('b', 'm'), true);
    expect(bumped?.map((s) => s.id)).to.deep.equal(['b', 'a']);
    expect(bumped?.[0]?.unread_count).to.equal(3);
    expect(bumped?.[0]?.last_message?.id).to.equal('m');
    expect(bumped?.[0]?.bumped_at).to.equal('2026-01-02T00:00:00.000Z');
  });

  it('tells when the session is not in the list', () => {
    expect(bumpSession([session('a')], message('x', 'm'), true)).to.equal(undefined);
  });

  it('puts a new session on top and replaces a known one in place', () => {
    const list = upsertSession([session('a'), session('b')], session('c'));
    expect(list.map((s) => s.id)).to.deep.equal(['c', 'a', 'b']);
    const renamed = upsertSession(list, { ...session('a'), name: 'A!' });
    expect(renamed.map((s) => s.name)).to.deep.equal(['c', 'A!', 'b']);
    expect(removeSession(renamed, 'a').map((s) => s.id)).to.deep.equal(['c', 'b']);
  });

  describe('merging a list loaded from chat-api', () => {
    const at = (day: string, id: string, sessionId = 'b'): Message => ({
      ...message(sessionId, id),
      created_at: `2026-01-${day}T00:00:00.000Z`,
    });
    const withLast = (base: Session, last: Message, unread: number): Session => ({
      ...base,
      last_message: last,
      bumped_at: last.created_at,
      unread_count: unread,
    });

    it('keeps what arrived live after what chat-api has stored: the later message, its place and the higher count', () => {
      const loaded = [withLast(session('a'), at('05', 'a1', 'a'), 0), withLast(session('b'), at('03', 'b1'), 1)];
      const held = [withLast(session('b'), at('07', 'b2'), 2), withLast(session('a'), at('05', 'a1', 'a'), 0)];
      const merged = mergeLoadedSessions(loaded, held);
      expect(merged.map((s) => s.id)).to.deep.equal(['b', 'a']);
      expect(merged[0]?.last_message?.id).to.equal('b2');
      expect(merged[0]?.unread_count).to.equal(2);
      expect(merged[0]?.bumped_at).to.equal('2026-01-07T00:00:00.000Z');
    });

    it("takes chat-api's session when it has caught up or is ahead, and its membership", () => {
      const loaded = [withLast({ ...session('b'), name: 'renamed' }, at('07', 'b2'), 0), session('c')];
      const held = [withLast(session('b'), at('07', 'b2'), 3), session('gone')];
      const merged = mergeLoadedSessions(loaded, held);
      expect(merged.map((s) => s.id)).to.deep.equal(['b', 'c']);
      expect(merged[0]).to.deep.equal(loaded[0]);
    });
  });

  it('names a session without a name by its kind', () => {
    expect(displayName({ kind: 'direct', name: null })).to.equal('Direct chat');
    expect(displayName({ kind: 'group', name: 'Team' })).to.equal('Team');
  });
});
