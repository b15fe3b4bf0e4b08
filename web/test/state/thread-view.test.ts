import { expect } from 'chai';
import type { ChatItem, ThreadState } from '../../src/state/chat-state.ts';
import { heldReplyCounts, mainItems, replyCountOf, threadItems } from '../../src/state/thread-view.ts';
import { messageOf } from '../support/chat-fixtures.ts';

const sent = (id: string, second: number, replyTo: string | null = null): ChatItem => ({
  message: messageOf(id, second, { reply_to: replyTo }),
  status: 'sent',
});
const ids = (items: readonly ChatItem[]) => items.map((item) => item.message.id);

const thread = (replies: string[], hasMore = false): ThreadState => ({
  sessionId: 's',
  rootId: 'root',
  root: messageOf('root', 0),
  replies: replies.map((id, i) => messageOf(id, i + 1, { reply_to: 'root' })),
  loaded: true,
  hasMore,
  loadingMore: false,
});

describe('thread views', () => {
  const items = [
    sent('root', 0),
    sent('r1', 1, 'root'),
    sent('other', 2),
    sent('r2', 3, 'root'),
    sent('x1', 4, 'other'),
  ];

  it('leaves replies out of the main list', () => {
    expect(ids(mainItems(items))).to.deep.equal(['root', 'other']);
  });

  it('shows the pages of the thread route, then the replies the conversation holds that they lack', () => {
    const view = threadItems(thread(['r0', 'r1']), items);
    expect(ids(view.paged)).to.deep.equal(['r0', 'r1']);
    expect(ids(view.later)).to.deep.equal(['r2']);
  });

  it("shows a paged reply as the conversation holds it (the user's own still on its way)", () => {
    const sending: ChatItem = { message: messageOf('r1', 1, { reply_to: 'root' }), status: 'sending' };
    const view = threadItems(thread(['r1']), [sending]);
    expect(view.paged[0]).to.equal(sending);
    expect(view.later).to.deep.equal([]);
  });

  it("counts a root's replies: its reply_count, or the replies held if more", () => {
    const held = heldReplyCounts(items);
    expect(held.get('root')).to.equal(2);
    expect(held.get('other')).to.equal(1);
    expect(replyCountOf(messageOf('root', 0, { reply_count: 5 }), held)).to.equal(5);
    // A reply arrived live before history counted it.
    expect(replyCountOf(messageOf('root', 0, { reply_count: 1 }), held)).to.equal(2);
    expect(replyCountOf(messageOf('lonely', 0), held)).to.equal(0);
  });
});
