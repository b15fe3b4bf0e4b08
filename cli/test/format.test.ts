import type { ChatMessage } from '@warren/shared/envelope';
import { expect } from 'chai';
import { authorLabel, deliveryLine } from '../src/format.ts';

const message = (author: ChatMessage['author']): ChatMessage => ({
  id: '0190a6f2-0000-7000-8000-000000000001',
  session_id: '0190a6f2-0000-7000-8000-000000000002',
  author,
  type: 'text',
  content: 'Maintenance at 18:00',
  extra: null,
  created_at: '2026-01-01T12:00:00.000Z',
});

describe('tail lines', () => {
  it('names users and bots as they are', () => {
    expect(authorLabel({ kind: 'user', id: 'u', username: 'alice' })).to.equal('alice');
    expect(authorLabel({ kind: 'bot', name: 'build-bot' })).to.equal('bot build-bot');
  });

  it('shows a message without user_id as unverified, never as Warren or the system', () => {
    const line = deliveryLine(
      { ok: true, kind: 'message', sessionId: 's', message: message(null) },
      new Date(),
      undefined,
    );
    expect(line).to.equal('2026-01-01T12:00:00.000Z  unverified (no user_id): Maintenance at 18:00');
    expect(line).not.to.match(/system|warren/i);
  });
});
