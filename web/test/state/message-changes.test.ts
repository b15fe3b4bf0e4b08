import { expect } from 'chai';
import type { SessionEvent } from '../../src/api/types.ts';
import {
  changeAll,
  changedMessage,
  changeOfEvent,
  changeState,
  type MessageChange,
} from '../../src/state/message-changes.ts';
import { ME, messageOf, stateWith } from '../support/chat-fixtures.ts';

const T1 = '2026-01-01T13:00:00.000Z';
const T2 = '2026-01-01T13:00:01.000Z';
const edit = (content: string, editedAt: string, messageId = 'a'): MessageChange => ({
  kind: 'edited',
  messageId,
  content,
  editedAt,
});
const deletion: MessageChange = { kind: 'deleted', messageId: 'a', deletedAt: T1 };
const react = (emoji: string, added: boolean, mine: boolean): MessageChange => ({
  kind: 'reaction',
  messageId: 'a',
  emoji,
  added,
  mine,
});

describe('message changes', () => {
  it('reads the four change events, telling the caller from others', () => {
    const user = { id: ME.id, username: ME.username };
    const events: SessionEvent[] = [
      { event: 'message.edited', data: { session_id: 's', message_id: 'a', content: 'new', edited_at: T1 } },
      { event: 'message.deleted', data: { session_id: 's', message_id: 'a', deleted_at: T1 } },
      { event: 'reaction.added', data: { session_id: 's', message_id: 'a', emoji: '👍', user } },
      {
        event: 'reaction.removed',
        data: { session_id: 's', message_id: 'a', emoji: '👍', user: { id: 'bob', username: 'bob' } },
      },
      { event: 'typing', data: { session_id: 's', user } },
    ];
    expect(events.map((event) => changeOfEvent(event, ME.id))).to.deep.equal([
      edit('new', T1),
      deletion,
      react('👍', true, true),
      react('👍', false, false),
      undefined,
    ]);
  });

  it('applies an edit only when later than the one shown', () => {
    const once = changedMessage(messageOf('a', 1), edit('first', T1));
    expect(once).to.include({ content: 'first', edited_at: T1 });
    const twice = changedMessage(once, edit('second', T2));
    expect(twice).to.include({ content: 'second', edited_at: T2 });
    // Heard again (the author's answer, then the event), or late: nothing changes.
    expect(changedMessage(twice, edit('second', T2))).to.equal(twice);
    expect(changedMessage(twice, edit('first', T1))).to.equal(twice);
  });

  it('makes a deleted message a tombstone that takes no more changes', () => {
    const reacted = messageOf('a', 1, { extra: { x: 1 }, reactions: [{ emoji: '👍', count: 2, me: true }] });
    const tombstone = changedMessage(reacted, deletion);
    expect(tombstone).to.include({ content: '', deleted_at: T1 });
    expect(tombstone.extra).to.deep.equal({});
    expect(tombstone.reactions).to.deep.equal([]);
    expect(changedMessage(tombstone, edit('back', T2))).to.equal(tombstone);
    expect(changedMessage(tombstone, react('👍', true, false))).to.equal(tombstone);
    expect(changedMessage(tombstone, { ...deletion, deletedAt: T2 })).to.equal(tombstone);
  });

  it('applies reactions, and leaves a message the change is not for alone', () => {
    const message = messageOf('a', 1);
    expect(changedMessage(message, react('🎉', true, false)).reactions).to.deep.equal([
      { emoji: '🎉', count: 1, me: false },
    ]);
    expect(changedMessage(message, react('🎉', false, false))).to.equal(message);
    expect(changedMessage(messageOf('b', 1), deletion).deleted_at).to.equal(null);
  });

  it('changes the one entry of a list holding the message, keeping the list when nothing changes', () => {
    const list = [messageOf('a', 1), messageOf('b', 2)];
    const same = <T>(x: T) => x;
    const changed = changeAll(list, edit('new', T1), same, (_, message) => message);
    expect(changed.map((message) => message.content)).to.deep.equal(['new', 'b']);
    expect(changed[1]).to.equal(list[1]);
    expect(changeAll(list, edit('new', T1, 'z'), same, (_, message) => message)).to.equal(list);
  });

  it('changes a message wherever the state holds it: conversation, thread, search results, last message', () => {
    const root = messageOf('a', 1);
    const reply = messageOf('r', 2, { reply_to: 'a' });
    const state = {
      ...stateWith([root]),
      thread: {
        sessionId: 's',
        rootId: 'a',
        root,
        replies: [reply],
        loaded: true,
        hasMore: false,
        loadingMore: false,
      },
      search: { query: 'a', results: [root, messageOf('c', 3)], loading: false, hasMore: false },
    };
    const edited = changeState(state, 's', edit('new', T1));
    expect(edited.conversations.s?.items[0]?.message.content).to.equal('new');
    expect(edited.thread?.root?.content).to.equal('new');
    expect(edited.search?.results[0]?.content).to.equal('new');
    expect(edited.sessions[0]?.last_message?.content).to.equal('new');
    expect(edited.thread?.replies).to.equal(state.thread.replies);

    const deleted = changeState(state, 's', deletion);
    expect(deleted.conversations.s?.items[0]?.message.deleted_at).to.equal(T1);
    // Search never finds a deleted message: it leaves the results.
    expect(deleted.search?.results.map((message) => message.id)).to.deep.equal(['c']);

    const replyEdited = changeState(state, 's', edit('fixed', T1, 'r'));
    expect(replyEdited.thread?.replies[0]?.content).to.equal('fixed');
  });

  it('keeps the state itself for a change to nothing it holds, or in another session', () => {
    const state = stateWith([messageOf('a', 1)]);
    expect(changeState(state, 's', edit('new', T1, 'z'))).to.equal(state);
    expect(changeState(state, 'other', edit('new', T1))).to.equal(state);
  });
});
