import { expect } from 'chai';
import { type ChatMessage, NEW_MESSAGE_STATE } from '../../src/envelope/index.ts';
import { MESSAGE_COLUMNS, type MessageRow, messageOf, messageRowOf } from '../../src/history/index.ts';

/** The row a reader selects after the persister inserted `message` at `seq` and applied its changes. */
function selected(message: ChatMessage, seq: string): MessageRow {
  const { extra, created_at, ...row } = messageRowOf(message);
  return {
    ...row,
    seq,
    extra: extra === null ? null : { ...extra },
    created_at: new Date(created_at),
    edited_at: message.edited_at === null ? null : new Date(message.edited_at),
    deleted_at: message.deleted_at === null ? null : new Date(message.deleted_at),
  };
}

describe('history message rows', () => {
  const base = {
    id: '0191d7a0-0000-7000-8000-000000000001',
    session_id: '0191d7a0-0000-7000-8000-000000000002',
    type: 'text',
    content: 'hello',
    extra: null,
    created_at: '2024-05-01T12:34:56.789Z',
    reply_to: null,
    ...NEW_MESSAGE_STATE,
  } as const;
  const alice = { kind: 'user', id: '0191d7a0-0000-7000-8000-000000000003', username: 'alice' } as const;
  const rootId = '0191d7a0-0000-7000-8000-000000000004';

  it('stores each kind of author in its columns', () => {
    expect(messageRowOf({ ...base, author: alice })).to.include({
      author_kind: 'user',
      author_id: alice.id,
      author_name: 'alice',
    });
    expect(messageRowOf({ ...base, author: { kind: 'bot', name: 'weather' } })).to.include({
      author_kind: 'bot',
      author_id: null,
      author_name: 'weather',
    });
    expect(messageRowOf({ ...base, author: null })).to.include({
      author_kind: 'system',
      author_id: null,
      author_name: null,
    });
  });

  it('stores the message a reply answers', () => {
    expect(messageRowOf({ ...base, author: alice, reply_to: rootId })).to.include({ reply_to: rootId });
    expect(messageRowOf({ ...base, author: alice })).to.include({ reply_to: null });
  });

  it('reads back the Message it stored, for every kind of author, replies and edits', () => {
    const messages: ChatMessage[] = [
      { ...base, author: alice },
      { ...base, author: { kind: 'bot', name: 'weather' }, type: 'weather.report', extra: { a: [1, 'b'] } },
      { ...base, author: null },
      { ...base, author: alice, reply_to: rootId },
      { ...base, author: alice, content: 'hello again', edited_at: '2024-05-01T12:35:00.000Z' },
    ];
    for (const message of messages) expect(messageOf(selected(message, '42'))).to.deep.equal(message);
  });

  it('shows the reply count and reactions it is given', () => {
    const reactions = [
      { emoji: '👍', count: 2, me: true },
      { emoji: 'tada', count: 1, me: false },
    ];
    expect(messageOf(selected({ ...base, author: alice }, '1'), { reply_count: 3, reactions })).to.deep.include({
      reply_count: 3,
      reactions,
    });
  });

  it('counts no replies on a reply: replies to a reply belong to the root', () => {
    const reply = selected({ ...base, author: alice, reply_to: rootId }, '1');
    expect(messageOf(reply, { reply_count: 5, reactions: [] }).reply_count).to.equal(0);
  });

  it('renders a deleted message as a tombstone: no content, extra or reactions, its thread kept', () => {
    const deleted = selected(
      {
        ...base,
        author: { kind: 'bot', name: 'weather' },
        extra: { secret: 'x' },
        deleted_at: '2024-05-01T13:00:00.000Z',
      },
      '1',
    );
    const reactions = [{ emoji: '👍', count: 1, me: false }];
    expect(messageOf(deleted, { reply_count: 2, reactions })).to.deep.equal({
      ...base,
      author: { kind: 'bot', name: 'weather' },
      content: '',
      extra: {},
      deleted_at: '2024-05-01T13:00:00.000Z',
      reply_count: 2,
      reactions: [],
    });
  });

  it('selects every column a Message is read from', () => {
    const row = selected({ ...base, author: null }, '1');
    expect([...MESSAGE_COLUMNS].sort()).to.deep.equal(Object.keys(row).sort());
  });
});
