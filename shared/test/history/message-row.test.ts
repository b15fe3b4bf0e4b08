import { expect } from 'chai';
import type { ChatMessage } from '../../src/envelope/index.ts';
import { MESSAGE_COLUMNS, type MessageRow, messageOf, messageRowOf } from '../../src/history/index.ts';

/** The row a reader selects after the persister inserted `message` at `seq`. */
function selected(message: ChatMessage, seq: string): MessageRow {
  const { extra, created_at, ...row } = messageRowOf(message);
  return { ...row, seq, extra: extra === null ? null : { ...extra }, created_at: new Date(created_at) };
}

describe('history message rows', () => {
  const base = {
    id: '0191d7a0-0000-7000-8000-000000000001',
    session_id: '0191d7a0-0000-7000-8000-000000000002',
    type: 'text',
    content: 'hello',
    extra: null,
    created_at: '2024-05-01T12:34:56.789Z',
  } as const;

  it('stores each kind of author in its columns', () => {
    const user = { kind: 'user', id: '0191d7a0-0000-7000-8000-000000000003', username: 'alice' } as const;
    expect(messageRowOf({ ...base, author: user })).to.include({
      author_kind: 'user',
      author_id: user.id,
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

  it('reads back the Message it stored, for every kind of author', () => {
    const messages: ChatMessage[] = [
      { ...base, author: { kind: 'user', id: '0191d7a0-0000-7000-8000-000000000003', username: 'alice' } },
      { ...base, author: { kind: 'bot', name: 'weather' }, type: 'weather.report', extra: { a: [1, 'b'] } },
      { ...base, author: null },
    ];
    for (const message of messages) expect(messageOf(selected(message, '42'))).to.deep.equal(message);
  });

  it('selects every column a Message is read from', () => {
    const row = selected({ ...base, author: null }, '1');
    expect([...MESSAGE_COLUMNS].sort()).to.deep.equal(Object.keys(row).sort());
  });
});
