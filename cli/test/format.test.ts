import { type ChatMessage, type DecodeResult, NEW_MESSAGE_STATE } from '@warren/shared/envelope';
import { expect } from 'chai';
import { authorLabel, deliveryJson, deliveryLine, shortId } from '../src/format.ts';

const SESSION_ID = '0190a6f2-0000-7000-8000-000000000002';
const ROOT_ID = '0190a6f2-0000-7000-8000-00000000a1b2';
const RECEIVED_AT = new Date('2026-01-01T12:00:05.000Z');

const message = (author: ChatMessage['author'], fields: Partial<ChatMessage> = {}): ChatMessage => ({
  id: '0190a6f2-0000-7000-8000-000000000001',
  session_id: SESSION_ID,
  author,
  type: 'text',
  content: 'Maintenance at 18:00',
  extra: null,
  created_at: '2026-01-01T12:00:00.000Z',
  reply_to: null,
  ...NEW_MESSAGE_STATE,
  ...fields,
});

const alice = { kind: 'user', id: '0190a6f2-0000-7000-8000-00000000a11c', username: 'alice' } as const;

/** The line of a decoded message. */
const lineOf = (m: ChatMessage) =>
  deliveryLine({ ok: true, kind: 'message', sessionId: SESSION_ID, message: m }, RECEIVED_AT, undefined);

/** A decoded change event with its (already checked) change. */
function changeEvent(
  event: 'message.edited' | 'message.deleted' | 'reaction.added' | 'reaction.removed',
  change: NonNullable<Extract<DecodeResult, { kind: 'event' }>['change']>,
): DecodeResult {
  return { ok: true, kind: 'event', sessionId: SESSION_ID, event, data: { message_id: ROOT_ID }, change };
}

const base = { id: '0190a6f2-0000-7000-8000-00000000c0de', sessionId: SESSION_ID, messageId: ROOT_ID } as const;

describe('tail lines', () => {
  it('names users and bots as they are', () => {
    expect(authorLabel({ kind: 'user', id: 'u', username: 'alice' })).to.equal('alice');
    expect(authorLabel({ kind: 'bot', name: 'build-bot' })).to.equal('bot build-bot');
  });

  it('shows a message without user_id as unverified, never as Warren or the system', () => {
    const line = lineOf(message(null));
    expect(line).to.equal('2026-01-01T12:00:00.000Z  unverified (no user_id): Maintenance at 18:00');
    expect(line).not.to.match(/system|warren/i);
  });

  it('shows the message a reply answers by its short id', () => {
    expect(lineOf(message(alice, { reply_to: ROOT_ID, content: 'me too' }))).to.equal(
      '2026-01-01T12:00:00.000Z  alice ↳ reply to 00000000a1b2: me too',
    );
    expect(lineOf(message(alice, { reply_to: ROOT_ID, type: 'poll', content: 'which?' }))).to.equal(
      '2026-01-01T12:00:00.000Z  alice [poll] ↳ reply to 00000000a1b2: which?',
    );
  });

  it('shortens ids to their random end, not their time-ordered start', () => {
    expect(shortId('018f3a2b-7c4d-7e5f-8a9b-0c1d2e3f4a5b')).to.equal('0c1d2e3f4a5b');
  });

  it('shows an edit with its time, the message and the new text', () => {
    const line = deliveryLine(
      changeEvent('message.edited', { ...base, kind: 'edit', content: 'fixed typo', at: '2026-01-01T12:00:03.000Z' }),
      RECEIVED_AT,
      base.id,
    );
    expect(line).to.equal(`2026-01-01T12:00:03.000Z  ✎ edited ${ROOT_ID}: fixed typo`);
  });

  it('shows a delete with its time and the message', () => {
    const line = deliveryLine(
      changeEvent('message.deleted', { ...base, kind: 'delete', at: '2026-01-01T12:00:04.000Z' }),
      RECEIVED_AT,
      base.id,
    );
    expect(line).to.equal(`2026-01-01T12:00:04.000Z  ✗ message ${ROOT_ID} deleted`);
  });

  it('shows a reaction added or taken back, who did it and on which message, when it arrived', () => {
    const reaction = { ...base, kind: 'reaction', emoji: '👍', user: { id: alice.id, username: 'alice' } } as const;
    expect(deliveryLine(changeEvent('reaction.added', { ...reaction, present: true }), RECEIVED_AT, base.id)).to.equal(
      `2026-01-01T12:00:05.000Z  +👍 alice on ${ROOT_ID}`,
    );
    expect(
      deliveryLine(changeEvent('reaction.removed', { ...reaction, present: false }), RECEIVED_AT, base.id),
    ).to.equal(`2026-01-01T12:00:05.000Z  −👍 alice on ${ROOT_ID}`);
  });

  it('shows other events with their data', () => {
    const data = { session_id: SESSION_ID, user: { id: alice.id, username: 'alice' } };
    const result: DecodeResult = {
      ok: true,
      kind: 'event',
      sessionId: SESSION_ID,
      event: 'typing',
      data,
      change: null,
    };
    expect(deliveryLine(result, RECEIVED_AT, undefined)).to.equal(
      `2026-01-01T12:00:05.000Z  event typing ${JSON.stringify(data)}`,
    );
  });

  it('shows a forged change as refused, with the code the persister dead-letters it with', () => {
    const result: DecodeResult = { ok: false, code: 'untrusted_event', detail: 'message.edited from bot' };
    expect(deliveryLine(result, RECEIVED_AT, base.id)).to.equal(
      `2026-01-01T12:00:05.000Z  refused ${base.id}: untrusted_event: message.edited from bot (the persister dead-letters it)`,
    );
  });
});

describe('tail JSON', () => {
  it('gives a change event as an event frame with its data, like the ws-gateway', () => {
    const result = changeEvent('message.deleted', { ...base, kind: 'delete', at: '2026-01-01T12:00:04.000Z' });
    expect(deliveryJson(result, SESSION_ID, base.id)).to.deep.equal({
      type: 'event',
      session_id: SESSION_ID,
      event: 'message.deleted',
      data: { message_id: ROOT_ID },
    });
  });

  it('gives a reply with its reply_to', () => {
    const reply = message(alice, { reply_to: ROOT_ID });
    const frame = deliveryJson(
      { ok: true, kind: 'message', sessionId: SESSION_ID, message: reply },
      SESSION_ID,
      reply.id,
    );
    expect(frame).to.deep.equal({ type: 'message', session_id: SESSION_ID, message: reply });
  });
});
