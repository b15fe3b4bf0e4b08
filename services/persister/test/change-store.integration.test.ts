import { randomUUID } from 'node:crypto';
import { type ChatMessage, type MessageChange, NEW_MESSAGE_STATE, newChangeId } from '@warren/shared/envelope';
import { HISTORY_SCHEMA } from '@warren/shared/history';
import { limits } from '@warren/shared/limits';
import { expect } from 'chai';
import { ChangeStore } from '../src/change-store.ts';
import { MessageStore } from '../src/message-store.ts';
import { TestDatabase } from './support/database.ts';

interface ReactionRow {
  user_id: string;
  emoji: string;
  present: boolean;
}

describe('ChangeStore', () => {
  let database: TestDatabase;
  let messages: MessageStore;
  let changes: ChangeStore;

  before(async () => {
    database = await TestDatabase.open();
    messages = new MessageStore(database.db);
    changes = new ChangeStore(database.db);
  });
  after(async () => {
    await database?.close();
  });

  /** A stored message of a new session. */
  async function stored(overrides: Partial<ChatMessage> = {}): Promise<ChatMessage> {
    const session = randomUUID();
    await database.insertSession(session);
    const message: ChatMessage = {
      id: randomUUID(),
      session_id: session,
      author: { kind: 'user', id: randomUUID(), username: 'alice' },
      type: 'text',
      content: 'the original',
      extra: { keep: 'me' },
      created_at: new Date().toISOString(),
      reply_to: null,
      ...NEW_MESSAGE_STATE,
      ...overrides,
    };
    await messages.store([message]);
    return message;
  }

  const at = (offsetMs: number) => new Date(Date.UTC(2026, 0, 1) + offsetMs).toISOString();
  const edit = (m: ChatMessage, content: string, id = newChangeId()): MessageChange => ({
    kind: 'edit',
    id,
    sessionId: m.session_id,
    messageId: m.id,
    content,
    at: at(1000),
  });
  const remove = (m: ChatMessage, id = newChangeId()): MessageChange => ({
    kind: 'delete',
    id,
    sessionId: m.session_id,
    messageId: m.id,
    at: at(2000),
  });
  const user = (username: string) => ({ id: randomUUID(), username });
  const react = (
    m: ChatMessage,
    who: { id: string; username: string },
    emoji: string,
    present = true,
    id = newChangeId(),
  ): MessageChange => ({ kind: 'reaction', id, sessionId: m.session_id, messageId: m.id, emoji, user: who, present });

  const row = async (id: string) => database.message(id);
  const reactionsOf = (id: string): Promise<ReactionRow[]> =>
    database.db
      .withSchema(HISTORY_SCHEMA)
      .from('reactions')
      .select('user_id', 'emoji', 'present')
      .where({ message_id: id })
      .orderBy(['emoji', 'user_id']);

  it('applies an edit once, and never an older one after a newer one', async () => {
    const m = await stored();
    const [older, newer] = [newChangeId(), newChangeId()];
    const first = await changes.apply([edit(m, 'the newer text', newer)]);
    expect(first).to.deep.equal({ outcomes: ['done'], written: 1 });
    expect(await row(m.id)).to.deep.include({ content: 'the newer text', edit_id: newer });
    expect((await row(m.id))?.edited_at?.toISOString()).to.equal(at(1000));

    const late = await changes.apply([edit(m, 'the older text', older), edit(m, 'the newer text', newer)]);
    expect(late, 'a late older edit and a redelivery write nothing').to.deep.equal({
      outcomes: ['done', 'done'],
      written: 0,
    });
    expect((await row(m.id))?.content).to.equal('the newer text');
  });

  it('keeps the newest of several edits of one batch, whatever their order in it', async () => {
    const m = await stored();
    const ids = [newChangeId(), newChangeId(), newChangeId()];
    await changes.apply([edit(m, 'third', ids[2]), edit(m, 'first', ids[0]), edit(m, 'second', ids[1])]);
    expect((await row(m.id))?.content).to.equal('third');
  });

  it('makes a deleted message a tombstone that later edits and reactions do not touch', async () => {
    const m = await stored();
    const bob = user('bob');
    await changes.apply([react(m, bob, '👍')]);
    const deleted = await changes.apply([remove(m)]);
    expect(deleted.written).to.be.greaterThan(0);
    const tombstone = await row(m.id);
    expect(tombstone).to.deep.include({ content: '', extra: {} });
    expect(tombstone?.deleted_at?.toISOString()).to.equal(at(2000));
    expect(await reactionsOf(m.id), 'reactions go with it').to.deep.equal([]);

    const after = await changes.apply([edit(m, 'back from the dead'), react(m, bob, '🎉'), remove(m)]);
    expect(after).to.deep.equal({ outcomes: ['done', 'done', 'done'], written: 0 });
    expect(await row(m.id)).to.deep.include({ content: '', extra: {} });
    expect((await row(m.id))?.deleted_at?.toISOString(), 'deleted once').to.equal(at(2000));
    expect(await reactionsOf(m.id)).to.deep.equal([]);
  });

  it('lets a delete in the same batch win over an edit and a reaction, in any order', async () => {
    const m = await stored();
    await changes.apply([remove(m), edit(m, 'too late'), react(m, user('bob'), '👍')]);
    expect(await row(m.id)).to.deep.include({ content: '', edit_id: null });
    expect(await reactionsOf(m.id)).to.deep.equal([]);
  });

  it('counts a reaction once per user and emoji, and a removal older than an add never wins', async () => {
    const m = await stored();
    const [bob, carol] = [user('bob'), user('carol')];
    await changes.apply([react(m, bob, '👍'), react(m, bob, '👍'), react(m, carol, '👍')]);
    const added = newChangeId();
    const removed = newChangeId();
    await changes.apply([react(m, bob, '❤️', true, added)]);
    await changes.apply([react(m, bob, '❤️', false, removed)]);
    // The add redelivered after the removal: older, so nothing comes back.
    const late = await changes.apply([react(m, bob, '❤️', true, added)]);
    expect(late.written).to.equal(0);
    const rows = await reactionsOf(m.id);
    expect(rows.filter((r) => r.present).map((r) => [r.emoji, r.user_id])).to.have.deep.members([
      ['👍', bob.id],
      ['👍', carol.id],
    ]);
    expect(rows.find((r) => r.emoji === '❤️')?.present, 'kept as removed').to.equal(false);
  });

  it(`refuses an emoji new to a message that has ${limits.reactionsPerMessage} distinct ones, not a known one`, async () => {
    const m = await stored();
    const bob = user('bob');
    const emoji = Array.from({ length: limits.reactionsPerMessage }, (_, i) => `e${String(i).padStart(2, '0')}`);
    // The limit holds inside one batch too: 49 already, then two new ones at once.
    await changes.apply(emoji.slice(0, -1).map((e) => react(m, bob, e)));
    const two = await changes.apply([react(m, bob, emoji.at(-1) as string), react(m, bob, 'one-too-many')]);
    expect(two.outcomes).to.deep.equal(['done', 'too_many_reactions']);
    const more = await changes.apply([react(m, user('carol'), 'e00'), react(m, user('dave'), 'another')]);
    expect(more.outcomes).to.deep.equal(['done', 'too_many_reactions']);
    const present = (await reactionsOf(m.id)).filter((r) => r.present);
    expect(new Set(present.map((r) => r.emoji)).size).to.equal(limits.reactionsPerMessage);
  });

  it('reports a change of a message that is not stored in its session as unknown_message', async () => {
    const m = await stored();
    const elsewhere = { ...m, session_id: randomUUID() };
    const missing = { ...m, id: randomUUID() };
    const result = await changes.apply([edit(elsewhere, 'not here'), remove(missing), edit(m, 'here')]);
    expect(result.outcomes).to.deep.equal(['unknown_message', 'unknown_message', 'done']);
    expect((await row(m.id))?.content).to.equal('here');
  });

  it('leaves out only a change PostgreSQL refuses, and applies the rest of the batch', async () => {
    const m = await stored();
    // Year 0, which timestamptz cannot hold, stands in for whatever the envelope lets through by mistake.
    const refused = { ...edit(m, 'never'), at: '0000-01-01T00:00:00.000Z' } as MessageChange;
    const result = await changes.apply([react(m, user('bob'), '👍'), refused, edit(m, 'applied')]);
    expect(result.outcomes).to.deep.equal(['done', 'rejected', 'done']);
    expect((await row(m.id))?.content).to.equal('applied');
    expect((await reactionsOf(m.id)).map((r) => r.emoji)).to.deep.equal(['👍']);
  });

  it('stores messages and applies their changes in one statement, those of its own messages too; nothing of either when a value is refused', async () => {
    const m = await stored();
    const fresh: ChatMessage = { ...m, id: randomUUID(), content: 'new in this batch' };
    const both = await messages.storeWith(
      [fresh],
      [edit(fresh, 'edited in the same batch'), react(m, user('bob'), '👍')],
    );
    expect(both?.stored.outcomes.map((outcome) => outcome.status)).to.deep.equal(['stored']);
    expect(both?.changes.outcomes).to.deep.equal(['done', 'done']);
    expect((await row(fresh.id))?.content).to.equal('edited in the same batch');
    expect((await reactionsOf(m.id)).map((r) => r.emoji)).to.deep.equal(['👍']);

    const other: ChatMessage = { ...m, id: randomUUID() };
    const refused = { ...edit(m, 'never'), at: '0000-01-01T00:00:00.000Z' } as MessageChange;
    const none = await messages.storeWith([other], [refused]);
    expect(none, 'the caller then writes them apart').to.equal(null);
    expect(await row(other.id), 'rolled back').to.equal(undefined);
  });

  it('ends in the state of publish order whatever order and batches the changes arrive in', async () => {
    const bob = user('bob');
    const m = await stored();
    const published = [
      edit(m, 'one'),
      react(m, bob, '👍'),
      react(m, bob, '👍', false),
      edit(m, 'two'),
      react(m, bob, '🎉'),
      react(m, bob, '👍'),
      react(m, bob, '🎉', false),
    ];
    const inOrder = await stored();
    for (const change of published)
      await changes.apply([{ ...change, sessionId: inOrder.session_id, messageId: inOrder.id }]);
    // Reversed, one at a time, then all again at once (a redelivery of everything).
    for (const change of [...published].reverse()) await changes.apply([change]);
    await changes.apply(published);
    const [expected, actual] = [await row(inOrder.id), await row(m.id)];
    expect(actual?.content).to.equal(expected?.content).and.to.equal('two');
    const present = async (id: string) => (await reactionsOf(id)).filter((r) => r.present).map((r) => r.emoji);
    expect(await present(m.id)).to.deep.equal(await present(inOrder.id));
    expect(await present(m.id)).to.deep.equal(['👍']);
  });
});
