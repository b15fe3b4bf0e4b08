import { expect } from 'chai';
import type { Message } from '../src/api/types.ts';
import type { ChatItem } from '../src/state/chat-state.ts';
import {
  addPending,
  mergeAfter,
  mergeLatest,
  oldestSentId,
  prependOlder,
  sentIdsNewestFirst,
  setStatus,
  upsertMessage,
} from '../src/state/message-list.ts';

const at = (n: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, n)).toISOString();
const message = (id: string, second: number, content = id): Message => ({
  id,
  session_id: 's',
  author: { kind: 'user', id: 'u', username: 'alice' },
  type: 'text',
  content,
  extra: null,
  created_at: at(second),
});
const sent = (...ids: string[]): ChatItem[] => ids.map((id, i) => ({ message: message(id, i), status: 'sent' }));
const ids = (items: readonly ChatItem[]) => items.map((item) => item.message.id);

describe('message list merging', () => {
  it('puts the newest page (newest first) oldest first, keeping live messages it lacks after it', () => {
    // Live, not stored yet: after the page whatever its time says.
    const live = sent('m4', 'm5');
    const merged = mergeLatest(live, [message('m5', 5), message('m3', 3), message('m2', 2), message('m1', 1)], false);
    expect(ids(merged)).to.deep.equal(['m1', 'm2', 'm3', 'm5', 'm4']);
  });

  it('keeps the older part of what is held in front when the page reaches back into it', () => {
    const merged = mergeLatest(sent('m1', 'm2', 'm3'), [message('m4', 4), message('m3', 3), message('m2', 2)], false);
    expect(ids(merged)).to.deep.equal(['m1', 'm2', 'm3', 'm4']);
  });

  it('on a reset, drops held history older than a page that does not reach it, keeping own messages on their way', () => {
    const held = [...sent('old'), { message: message('mine', 9), status: 'sending' as const }];
    expect(ids(mergeLatest(held, [message('m4', 4), message('m3', 3)], true))).to.deep.equal(['m3', 'm4', 'mine']);
  });

  it('puts an older page in front, without repeats', () => {
    expect(ids(prependOlder(sent('m3', 'm4'), [message('m3', 3), message('m2', 2), message('m1', 1)]))).to.deep.equal([
      'm1',
      'm2',
      'm3',
      'm4',
    ]);
  });

  it('fills a gap in the server order, after the anchor, before what was held but not returned', () => {
    const held = [...sent('a', 'live-2'), { message: message('mine', 20), status: 'sending' as const }];
    const fetched = [message('gap-1', 5), message('live-2', 6), message('gap-3', 7)];
    expect(ids(mergeAfter(held, 'a', fetched))).to.deep.equal(['a', 'gap-1', 'live-2', 'gap-3', 'mine']);
  });

  it('never holds an id twice however often the same gap is merged', () => {
    const fetched = [message('b', 1), message('c', 2)];
    const once = mergeAfter(sent('a'), 'a', fetched);
    const twice = mergeAfter(upsertMessage(once, message('c', 2)), 'a', fetched);
    expect(ids(twice)).to.deep.equal(['a', 'b', 'c']);
  });

  it('reconciles an own message by id: pending, then confirmed in place', () => {
    const pending = addPending(sent('a'), message('mine', 1, 'hello'));
    expect(pending.map((item) => item.status)).to.deep.equal(['sent', 'sending']);
    const withLater = upsertMessage(pending, message('b', 2));
    const confirmed = upsertMessage(withLater, message('mine', 1, 'hello'));
    expect(ids(confirmed)).to.deep.equal(['a', 'mine', 'b']);
    expect(confirmed.map((item) => item.status)).to.deep.equal(['sent', 'sent', 'sent']);
  });

  it('marks only unconfirmed messages failed, and gives cursors only of confirmed ones', () => {
    const items = addPending(sent('a', 'b'), message('mine', 3));
    const failed = setStatus(setStatus(items, 'mine', 'failed', 'Cannot reach Warren.'), 'a', 'failed');
    expect(failed.map((item) => item.status)).to.deep.equal(['sent', 'sent', 'failed']);
    expect(failed[2]?.error).to.equal('Cannot reach Warren.');
    expect(sentIdsNewestFirst(failed)).to.deep.equal(['b', 'a']);
    expect(oldestSentId(addPending([], message('x', 0)))).to.equal(undefined);
  });
});
