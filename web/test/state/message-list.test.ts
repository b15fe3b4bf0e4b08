import { expect } from 'chai';
import type { Message } from '../../src/api/types.ts';
import type { ChatItem } from '../../src/state/chat-state.ts';
import {
  addPending,
  CHANGE_SETTLE_MS,
  mergeAfter,
  mergeLatest,
  oldestSentId,
  prependOlder,
  reconciled,
  refreshHeld,
  sentIdsNewestFirst,
  setStatus,
  storedIdsNewestFirst,
  upsertMessage,
} from '../../src/state/message-list.ts';

const at = (n: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, n)).toISOString();
const message = (id: string, second: number, content = id): Message => ({
  id,
  session_id: 's',
  author: { kind: 'user', id: 'u', username: 'alice' },
  type: 'text',
  content,
  extra: null,
  created_at: at(second),
  reply_to: null,
  reply_count: 0,
  edited_at: null,
  deleted_at: null,
  reactions: [],
});
const sent = (...ids: string[]): ChatItem[] => ids.map((id, i) => ({ message: message(id, i), status: 'sent' }));
const ids = (items: readonly ChatItem[]) => items.map((item) => item.message.id);
/** Messages that came live at these client times (ms). */
const cameLive = (...entries: [id: string, at: number][]): ChatItem[] =>
  entries.map(([id, at], i) => ({ message: message(id, 10 + i), status: 'sent', receivedAt: at }));
/** No live message is old enough that history must have it by its age alone. */
const NONE_SETTLED = Number.NEGATIVE_INFINITY;
/** A first load's page with more history before it. */
const FIRST_PAGE = { complete: false, heldMayBeOlder: false, settledBefore: NONE_SETTLED, now: 0 };
/** The newest page after a gap too long to fill, with more history before it. */
const RESET = { complete: false, heldMayBeOlder: true, settledBefore: NONE_SETTLED, now: 0 };

describe('message list merging', () => {
  it('puts the newest page (newest first) oldest first, keeping live messages it lacks after it', () => {
    // Live, not stored yet: after the page whatever its time says.
    const live = sent('m4', 'm5');
    const merged = mergeLatest(
      live,
      [message('m5', 5), message('m3', 3), message('m2', 2), message('m1', 1)],
      FIRST_PAGE,
    );
    expect(ids(merged)).to.deep.equal(['m1', 'm2', 'm3', 'm5', 'm4']);
  });

  it('keeps the older part of what is held in front when the page reaches back into it', () => {
    const merged = mergeLatest(
      sent('m1', 'm2', 'm3'),
      [message('m4', 4), message('m3', 3), message('m2', 2)],
      FIRST_PAGE,
    );
    expect(ids(merged)).to.deep.equal(['m1', 'm2', 'm3', 'm4']);
  });

  it('on a reset, drops held history older than a page that does not reach it, keeping own messages on their way', () => {
    const held = [...sent('old'), { message: message('mine', 9), status: 'sending' as const }];
    expect(ids(mergeLatest(held, [message('m4', 4), message('m3', 3)], RESET))).to.deep.equal(['m3', 'm4', 'mine']);
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
    expect(ids(mergeAfter(held, 'a', fetched, NONE_SETTLED, 0))).to.deep.equal([
      'a',
      'gap-1',
      'live-2',
      'gap-3',
      'mine',
    ]);
  });

  it('never holds an id twice however often the same gap is merged', () => {
    const fetched = [message('b', 1), message('c', 2)];
    const once = mergeAfter(sent('a'), 'a', fetched, NONE_SETTLED, 0);
    const twice = mergeAfter(upsertMessage(once, message('c', 2), 50), 'a', fetched, NONE_SETTLED, 0);
    expect(ids(twice)).to.deep.equal(['a', 'b', 'c']);
  });

  describe('replacing what came live with what history says', () => {
    it('drops a live message history lacks when a message after it is stored: the persister refused it', () => {
      // `stolen` reused the id of a message of another session: shown live, never stored here.
      const held = [...sent('a'), ...cameLive(['b', 100], ['stolen', 101], ['c', 102])];
      const merged = mergeAfter(held, 'a', [message('b', 1), message('c', 3)], NONE_SETTLED, 0);
      expect(ids(merged)).to.deep.equal(['a', 'b', 'c']);
    });

    it('drops a live message history lacks once it arrived long enough ago, even with nothing after it', () => {
      const held = [...sent('a'), ...cameLive(['stolen', 100])];
      expect(ids(mergeAfter(held, 'a', [], 100, 0))).to.deep.equal(['a']);
      expect(ids(mergeAfter(held, 'a', [message('gap', 2)], 100, 0))).to.deep.equal(['a', 'gap']);
    });

    it('keeps a live message the persister may not have stored yet: the newest, arrived a moment ago', () => {
      const held = [...sent('a'), ...cameLive(['b', 100], ['fresh', 200])];
      expect(ids(mergeAfter(held, 'a', [message('b', 1)], 150, 0))).to.deep.equal(['a', 'b', 'fresh']);
    });

    it('never drops what history gave, messages still on their way, nor what is before the anchor', () => {
      const pending = { message: message('typing', 21), status: 'sending' as const };
      const failed = { message: message('refused', 22), status: 'failed' as const };
      const held = [...cameLive(['before', 1]), ...sent('a', 'h'), pending, failed, ...cameLive(['b', 100])];
      expect(ids(mergeAfter(held, 'a', [message('b', 1)], 1000, 0))).to.deep.equal([
        'before',
        'a',
        'b',
        'h',
        'typing',
        'refused',
      ]);
    });

    it("treats the user's own message as chat-api took it like a live one until history has it", () => {
      const own = upsertMessage(addPending(sent('a'), message('mine', 1)), message('mine', 1), 300);
      expect(own[1]).to.deep.include({ status: 'sent', receivedAt: 300 });
      expect(ids(mergeAfter(own, 'a', [], 299, 0))).to.deep.equal(['a', 'mine']);
      expect(ids(mergeAfter(own, 'a', [], 300, 0))).to.deep.equal(['a']);
      expect(mergeAfter(own, 'a', [message('mine', 1)], 300, 0)[1]).to.deep.equal({
        message: message('mine', 1),
        status: 'sent',
      });
    });

    it('starts a fill after the newest message history gave, so everything since is checked', () => {
      const held = [...sent('a', 'b'), ...cameLive(['live', 100])];
      expect(storedIdsNewestFirst(held)).to.deep.equal(['b', 'a']);
      expect(sentIdsNewestFirst(held)).to.deep.equal(['live', 'b', 'a']);
      // A live copy of what history gave stays history's.
      expect(storedIdsNewestFirst(upsertMessage(held, message('b', 1), 200))).to.deep.equal(['b', 'a']);
    });

    it('keeps when a message first arrived across its echo', () => {
      const live = upsertMessage([], message('x', 1), 100);
      expect(live[0]?.receivedAt).to.equal(100);
      expect(upsertMessage(live, message('x', 1), 300)[0]?.receivedAt).to.equal(100);
    });

    it('does the same where the newest page answers for what is held', () => {
      const held = [...sent('m1', 'm2'), ...cameLive(['stolen', 100], ['m3', 101], ['late', 102])];
      const page = [message('m3', 3), message('m2', 2)];
      // Between two messages the page holds, and after its oldest once old enough.
      expect(ids(mergeLatest(held, page, FIRST_PAGE))).to.deep.equal(['m1', 'm2', 'm3', 'late']);
      expect(ids(mergeLatest(held, page, { ...FIRST_PAGE, settledBefore: 102 }))).to.deep.equal(['m1', 'm2', 'm3']);

      // Before the page's oldest, only a complete page answers: otherwise it may be older than the page.
      const before = [...cameLive(['stolen', 100], ['m1', 101], ['m2', 102])];
      const newest = [message('m2', 2), message('m1', 1)];
      expect(ids(mergeLatest(before, newest, FIRST_PAGE))).to.deep.equal(['stolen', 'm1', 'm2']);
      expect(ids(mergeLatest(before, newest, { ...FIRST_PAGE, complete: true }))).to.deep.equal(['m1', 'm2']);

      // On a reset the page is the newest there is: an old live message it lacks is gone from history.
      const reset = cameLive(['stolen', 100], ['fresh', 200]);
      expect(ids(mergeLatest(reset, [message('m9', 9)], { ...RESET, settledBefore: 150 }))).to.deep.equal([
        'm9',
        'fresh',
      ]);
      // On a first load, what is held may be older than the page.
      expect(ids(mergeLatest(reset, [message('m9', 9)], { ...FIRST_PAGE, settledBefore: 150 }))).to.deep.equal([
        'm9',
        'stolen',
        'fresh',
      ]);
      expect(
        ids(mergeLatest(reset, [message('m9', 9)], { ...FIRST_PAGE, complete: true, settledBefore: 150 })),
      ).to.deep.equal(['m9', 'fresh']);
    });
  });

  it('reconciles an own message by id: pending, then confirmed in place', () => {
    const pending = addPending(sent('a'), message('mine', 1, 'hello'));
    expect(pending.map((item) => item.status)).to.deep.equal(['sent', 'sending']);
    const withLater = upsertMessage(pending, message('b', 2), 100);
    const confirmed = upsertMessage(withLater, message('mine', 1, 'hello'), 101);
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

  it("takes history's version of held messages in place (changed while the socket was down), keeping the rest", () => {
    const items = [...sent('a', 'b'), ...cameLive(['c', 100])];
    const edited = { ...message('b', 1, 'b, edited'), edited_at: at(30) };
    const refreshed = refreshHeld(items, [message('c', 10), edited, message('z', 40)], 0);
    expect(ids(refreshed)).to.deep.equal(['a', 'b', 'c']);
    expect(refreshed[0]).to.equal(items[0]);
    expect(refreshed[1]?.message.content).to.equal('b, edited');
    // History has the live one now: it is history's.
    expect(refreshed[2]?.receivedAt).to.equal(undefined);
    expect(refreshHeld(items, [message('z', 40)], 0)).to.equal(items);
  });

  describe('history that lags what is shown (the persister has not applied a change yet)', () => {
    const thumbs = [{ emoji: '👍', count: 1, me: true }];
    const shown = (change: Partial<Message>, changedAt?: number): ChatItem => ({
      message: { ...message('m', 1), ...change },
      status: 'sent',
      ...(changedAt === undefined ? {} : { changedAt }),
    });

    it('keeps a tombstone: a deletion is final', () => {
      const held = shown({ content: '', extra: {}, deleted_at: at(20) }, 1000);
      const merged = reconciled(held, message('m', 1, 'the deleted text'), 1000 + CHANGE_SETTLE_MS * 10);
      expect(merged.message).to.deep.include({ content: '', deleted_at: at(20) });
      const refreshed = refreshHeld([held], [message('m', 1, 'the deleted text')], 2000);
      expect(refreshed[0]?.message.content).to.equal('');
    });

    it("keeps an edit later than history's, and takes history's when it is later", () => {
      const held = shown({ content: 'second', edited_at: at(30) });
      expect(reconciled(held, { ...message('m', 1, 'first'), edited_at: at(20) }, 0).message.content).to.equal(
        'second',
      );
      expect(reconciled(held, message('m', 1, 'original'), 0).message).to.deep.include({
        content: 'second',
        edited_at: at(30),
      });
      expect(reconciled(held, { ...message('m', 1, 'third'), edited_at: at(40) }, 0).message.content).to.equal('third');
    });

    it('keeps reactions changed here until they settle, then takes history’s', () => {
      const held = shown({ reactions: thumbs }, 1000);
      const stale = { ...message('m', 1), reply_count: 2 };
      const early = reconciled(held, stale, 1000 + CHANGE_SETTLE_MS - 1);
      expect(early.message.reactions).to.deep.equal(thumbs);
      expect(early.message.reply_count, 'the rest is history’s').to.equal(2);
      expect(reconciled(held, stale, 1000 + CHANGE_SETTLE_MS).message.reactions).to.deep.equal([]);
      const page = mergeLatest([held], [stale], { ...FIRST_PAGE, now: 1500 });
      expect(page[0]?.message.reactions).to.deep.equal(thumbs);
    });
  });
});
