import { expect } from 'chai';
import { sessionEventTypes } from '../../src/amqp/topology.ts';
import {
  isMessageChangeEvent,
  type MessageChange,
  messageChangeEvents,
  messageChangeOf,
} from '../../src/envelope/index.ts';
import { MESSAGE_ID, ROOT_ID, SESSION_ID, thrownCode, USER_ID } from './fixtures.ts';

/** The change an event describes, as decodeDelivery would read it off the test session's exchange. */
const changeOf = (event: (typeof messageChangeEvents)[number], data: unknown): MessageChange =>
  messageChangeOf(event, data, MESSAGE_ID, SESSION_ID);

const codeOf = (event: (typeof messageChangeEvents)[number], data: unknown) => thrownCode(() => changeOf(event, data));

const target = { session_id: SESSION_ID, message_id: ROOT_ID };
const alice = { id: USER_ID, username: 'alice' };

describe('envelope message changes', () => {
  describe('isMessageChangeEvent', () => {
    it('is true for the four events that change a stored message, and no other', () => {
      expect(sessionEventTypes.filter(isMessageChangeEvent)).to.have.members([
        'message.edited',
        'message.deleted',
        'reaction.added',
        'reaction.removed',
      ]);
      expect([...messageChangeEvents]).to.have.members(sessionEventTypes.filter(isMessageChangeEvent));
    });
  });

  describe('messageChangeOf', () => {
    it('reads an edit: its content by the content rule, its time in UTC', () => {
      const change = changeOf('message.edited', {
        ...target,
        content: '  fixed typo \n',
        edited_at: '2024-05-06T09:08:09.5+02:00',
      });
      expect(change).to.deep.equal({
        kind: 'edit',
        id: MESSAGE_ID,
        sessionId: SESSION_ID,
        messageId: ROOT_ID,
        content: 'fixed typo',
        at: '2024-05-06T07:08:09.500Z',
      });
    });

    it('reads a delete', () => {
      expect(changeOf('message.deleted', { ...target, deleted_at: '2024-05-06T07:08:09.000Z' })).to.deep.equal({
        kind: 'delete',
        id: MESSAGE_ID,
        sessionId: SESSION_ID,
        messageId: ROOT_ID,
        at: '2024-05-06T07:08:09.000Z',
      });
    });

    it('reads a reaction added or removed, with who reacted', () => {
      const body = { ...target, emoji: '👨‍👩‍👧', user: alice };
      const base = { kind: 'reaction', id: MESSAGE_ID, sessionId: SESSION_ID, messageId: ROOT_ID, user: alice };
      expect(changeOf('reaction.added', body)).to.deep.equal({ ...base, emoji: '👨‍👩‍👧', present: true });
      expect(changeOf('reaction.removed', body)).to.deep.equal({ ...base, emoji: '👨‍👩‍👧', present: false });
    });

    it('lower-cases the ids of the body', () => {
      const change = changeOf('reaction.added', {
        session_id: SESSION_ID.toUpperCase(),
        message_id: ROOT_ID.toUpperCase(),
        emoji: 'tada',
        user: { id: USER_ID.toUpperCase(), username: 'alice' },
      });
      expect(change).to.deep.include({ sessionId: SESSION_ID, messageId: ROOT_ID, user: alice });
    });

    it('ignores fields the event does not have', () => {
      const change = changeOf('message.deleted', { ...target, deleted_at: '2024-05-06T07:08:09.000Z', content: 'x' });
      expect(change.kind).to.equal('delete');
    });

    it('refuses a body naming another session than the exchange it came through', () => {
      const other = { ...target, session_id: MESSAGE_ID };
      expect(codeOf('message.deleted', { ...other, deleted_at: '2024-05-06T07:08:09.000Z' })).to.equal('invalid_event');
      expect(codeOf('reaction.added', { ...other, emoji: '👍', user: alice })).to.equal('invalid_event');
    });

    it('refuses ids that are not UUIDs', () => {
      const deleted_at = '2024-05-06T07:08:09.000Z';
      expect(codeOf('message.deleted', { ...target, message_id: 'msg-1', deleted_at })).to.equal('invalid_event');
      expect(codeOf('message.deleted', { ...target, session_id: 'general', deleted_at })).to.equal('invalid_event');
      expect(codeOf('reaction.added', { ...target, emoji: '👍', user: { ...alice, id: 'alice' } })).to.equal(
        'invalid_event',
      );
    });

    it('refuses a body without the fields of its event, or that is no object', () => {
      expect(codeOf('message.edited', { ...target, content: 'x' })).to.equal('invalid_event');
      expect(codeOf('message.edited', { ...target, edited_at: '2024-05-06T07:08:09.000Z' })).to.equal('invalid_event');
      expect(codeOf('message.deleted', target)).to.equal('invalid_event');
      expect(codeOf('message.deleted', { ...target, deleted_at: 'yesterday' })).to.equal('invalid_event');
      expect(codeOf('reaction.removed', { ...target, emoji: '👍' })).to.equal('invalid_event');
      expect(codeOf('reaction.removed', { ...target, emoji: '👍', user: { ...alice, username: '' } })).to.equal(
        'invalid_event',
      );
      for (const data of [null, 'x', 1, [], {}]) expect(codeOf('message.deleted', data)).to.equal('invalid_event');
    });

    it('refuses an edit whose content breaks the content rule, with that rule’s code', () => {
      const edit = (content: unknown) => ({ ...target, content, edited_at: '2024-05-06T07:08:09.000Z' });
      expect(codeOf('message.edited', edit(' \n '))).to.equal('content_empty');
      expect(codeOf('message.edited', edit('x'.repeat(4001)))).to.equal('content_too_long');
      expect(codeOf('message.edited', edit('\u200b'))).to.equal('content_invisible');
      expect(codeOf('message.edited', edit('a\u0000'))).to.equal('invalid_characters');
      expect(codeOf('message.edited', edit(42))).to.equal('invalid_event');
    });

    it('refuses a reaction whose emoji breaks the emoji rule', () => {
      for (const emoji of ['', 'a b', '\t', 'x'.repeat(33), 7]) {
        expect(codeOf('reaction.added', { ...target, emoji, user: alice }), JSON.stringify(emoji)).to.equal(
          'invalid_event',
        );
      }
    });

    it('refuses a time outside the years 2000 to 9999, which history could not order or store', () => {
      for (const at of ['0000-01-01T00:00:00Z', '1999-12-31T23:59:59Z', '+010000-01-01T00:00:00Z']) {
        expect(codeOf('message.deleted', { ...target, deleted_at: at }), at).to.equal('invalid_event');
        expect(codeOf('message.edited', { ...target, content: 'x', edited_at: at }), at).to.equal('invalid_event');
      }
      expect(changeOf('message.deleted', { ...target, deleted_at: '2000-01-01T00:00:00Z' })).to.deep.include({
        at: '2000-01-01T00:00:00.000Z',
      });
    });

    it('refuses a reacting user whose username no user can have', () => {
      for (const username of ['', 'ab', 'a b', 'x'.repeat(33), 'ümlaut']) {
        const body = { ...target, emoji: '👍', user: { id: USER_ID, username } };
        expect(codeOf('reaction.added', body), username).to.equal('invalid_event');
      }
    });
  });
});
