import { randomUUID } from 'node:crypto';
import { databaseSchemas } from '@warren/shared/db';
import { type ChatMessage, NEW_MESSAGE_STATE } from '@warren/shared/envelope';
import { HISTORY_SCHEMA, messageRowOf } from '@warren/shared/history';
import { eventually } from '@warren/shared/testing';
import { expect } from 'chai';
import { MessageStore } from '../src/message-store.ts';
import { TestDatabase } from './support/database.ts';

/** A valid message of `sessionId`, as the envelope decodes one. */
function message(sessionId: string, overrides: Partial<ChatMessage> = {}): ChatMessage {
  return {
    id: randomUUID(),
    session_id: sessionId,
    author: { kind: 'bot', name: 'store-test' },
    type: 'text',
    content: 'hello',
    extra: null,
    created_at: new Date().toISOString(),
    reply_to: null,
    ...NEW_MESSAGE_STATE,
    ...overrides,
  };
}

describe('MessageStore', () => {
  let database: TestDatabase;
  let store: MessageStore;

  before(async () => {
    database = await TestDatabase.open();
    store = new MessageStore(database.db);
  });
  after(async () => {
    await database?.close();
  });

  async function newSession(): Promise<string> {
    const id = randomUUID();
    await database.insertSession(id);
    return id;
  }

  it('stores each author kind in its columns, with type, extra and created_at', async () => {
    const session = await newSession();
    const userId = randomUUID();
    const messages = [
      message(session, { author: { kind: 'user', id: userId, username: 'alice' }, extra: { a: [1, 'b'] } }),
      message(session, { author: { kind: 'bot', name: 'weather' }, type: 'weather.report' }),
      message(session, { author: null, created_at: '2024-01-02T03:04:05.678Z' }),
    ];
    const { outcomes } = await store.store(messages);
    expect(outcomes.map((o) => o.status)).to.deep.equal(['stored', 'stored', 'stored']);
    const rows = await database.messagesOf(session);
    expect(rows.map((r) => [r.id, r.author_kind, r.author_id, r.author_name])).to.deep.equal([
      [messages[0]?.id, 'user', userId, 'alice'],
      [messages[1]?.id, 'bot', null, 'weather'],
      [messages[2]?.id, 'system', null, null],
    ]);
    expect(rows[0]?.extra).to.deep.equal({ a: [1, 'b'] });
    expect(rows[1]?.type).to.equal('weather.report');
    expect(rows[2]?.created_at.toISOString()).to.equal('2024-01-02T03:04:05.678Z');
  });

  it("records each touched session's activity: newest message, latest created_at, the count stored", async () => {
    const [a, b] = [await newSession(), await newSession()];
    const batch = [
      message(a, { created_at: '2024-05-01T00:00:03.000Z' }),
      message(b, { created_at: '2024-05-01T00:00:02.000Z' }),
      // Stored after the first of b, though written earlier: b's newest is still this one (highest seq).
      message(b, { created_at: '2024-05-01T00:00:01.000Z' }),
      message(a, { created_at: '2024-05-01T00:00:00.000Z' }),
    ];
    const { outcomes, newest } = await store.store(batch);
    const seqs = outcomes.map((o) => (o.status === 'stored' ? BigInt(o.seq) : -1n));
    expect(seqs).to.deep.equal([...seqs].sort((x, y) => (x < y ? -1 : 1)));
    expect(newest?.id).to.equal(batch[3]?.id);

    const sessionA = await database.activity(a);
    expect(sessionA?.stored_messages).to.equal('2');
    expect(sessionA?.last_message_id).to.equal(batch[3]?.id);
    // The latest created_at, though not the last message's.
    expect(sessionA?.bumped_at.toISOString()).to.equal('2024-05-01T00:00:03.000Z');

    const sessionB = await database.activity(b);
    expect(sessionB?.stored_messages).to.equal('2');
    expect(sessionB?.last_message_id).to.equal(batch[2]?.id);
    expect(sessionB?.bumped_at.toISOString()).to.equal('2024-05-01T00:00:02.000Z');

    const later = message(a, { created_at: '2024-04-01T00:00:00.000Z' });
    await store.store([later]);
    const again = await database.activity(a);
    expect(again?.stored_messages).to.equal('3');
    expect(again?.last_message_id).to.equal(later.id);
    expect(again?.bumped_at.toISOString(), 'never backwards').to.equal('2024-05-01T00:00:03.000Z');
  });

  it("writes nothing into chat-api's chat.sessions", async () => {
    const session = await newSession();
    const before = await database.db.withSchema(databaseSchemas.chat).from('sessions').where({ id: session }).first();
    await store.store([message(session), message(session, { created_at: '9999-12-31T23:59:59.000Z' })]);
    const after = await database.db.withSchema(databaseSchemas.chat).from('sessions').where({ id: session }).first();
    expect(after).to.deep.equal(before);
  });

  it('stores an id once: a second batch and a repeat inside one batch are duplicates that do not count', async () => {
    const session = await newSession();
    const first = message(session);
    await store.store([first]);
    const again = message(session);
    const { outcomes, newest } = await store.store([first, again, { ...again, content: 'second copy' }]);
    expect(outcomes.map((o) => o.status)).to.deep.equal(['duplicate', 'stored', 'duplicate']);
    expect(newest?.id).to.equal(again.id);
    expect((await database.message(again.id))?.content).to.equal('hello');
    const row = await database.activity(session);
    expect(row?.stored_messages).to.equal('2');
    expect(row?.last_message_id).to.equal(again.id);
  });

  it('bumps a session to at most the time of storing for a message dated in the future', async () => {
    const session = await newSession();
    const before = Date.now();
    const { outcomes } = await store.store([message(session, { created_at: '9999-12-31T23:59:59.000Z' })]);
    const after = Date.now();
    expect(outcomes.map((o) => o.status)).to.deep.equal(['stored']);
    const bumped = (await database.activity(session))?.bumped_at.getTime();
    // now() is the transaction's start; the clocks of the test and PostgreSQL are the machine's.
    expect(bumped).to.be.within(before - 1000, after + 1000);

    const next = message(session, { created_at: '2024-06-01T00:00:00.000Z' });
    await store.store([next]);
    expect((await database.activity(session))?.bumped_at.getTime(), 'never backwards').to.equal(bumped);
  });

  it('refuses an id stored for another session or author as id_collision, and keeps the stored one', async () => {
    const [session, other] = [await newSession(), await newSession()];
    const first = message(session, { author: { kind: 'bot', name: 'weather' } });
    await store.store([first]);
    const user = { kind: 'user', id: randomUUID(), username: 'alice' } as const;
    const { outcomes } = await store.store([
      { ...first, session_id: other, content: 'elsewhere' },
      { ...first, author: { kind: 'bot', name: 'impostor' } },
      { ...first, author: user },
      { ...first, author: null },
      // The same message again, even with other content: a redelivery or a retry, not a collision.
      { ...first, content: 'again' },
    ]);
    expect(outcomes.map((o) => o.status)).to.deep.equal([
      'id_collision',
      'id_collision',
      'id_collision',
      'id_collision',
      'duplicate',
    ]);
    expect(await database.message(first.id)).to.deep.include({ session_id: session, content: 'hello' });
    expect(await database.countOf(other)).to.equal(0);
    expect(await database.activity(other)).to.equal(undefined);

    const fromUser = message(session, { author: user });
    await store.store([fromUser]);
    const again = await store.store([
      { ...fromUser, author: { ...user, username: 'alice' } },
      { ...fromUser, author: { ...user, id: randomUUID() } },
    ]);
    expect(again.outcomes.map((o) => o.status)).to.deep.equal(['duplicate', 'id_collision']);
  });

  it('refuses the second of two messages with one id in one batch when they differ in session', async () => {
    const [session, other] = [await newSession(), await newSession()];
    const first = message(session);
    const { outcomes } = await store.store([first, { ...first, session_id: other }, { ...first }]);
    expect(outcomes.map((o) => o.status)).to.deep.equal(['stored', 'id_collision', 'duplicate']);
    expect(await database.countOf(other)).to.equal(0);
  });

  it('refuses an id that another transaction stores for another session while the batch waits for it', async () => {
    const [session, other] = [await newSession(), await newSession()];
    const contested = message(session);
    const trx = await database.db.transaction();
    try {
      await trx
        .withSchema(HISTORY_SCHEMA)
        .into('messages')
        .insert(messageRowOf({ ...contested, session_id: other }));
      const storing = store.store([contested]);
      // The batch waits on the uncommitted row; once it commits, the batch's snapshot still does not see it.
      await eventually(async () => {
        const { rows } = await database.db.raw<{ rows: unknown[] }>(
          "select 1 from pg_stat_activity where wait_event_type = 'Lock' and query like '%json_to_recordset%'",
        );
        return rows.length > 0;
      });
      await trx.commit();
      const { outcomes } = await storing;
      expect(outcomes).to.deep.equal([{ status: 'id_collision' }]);
    } finally {
      if (!trx.isCompleted()) await trx.rollback();
    }
    expect(await database.message(contested.id)).to.deep.include({ session_id: other });
  });

  it('leaves the session alone when a batch holds only duplicates', async () => {
    const session = await newSession();
    const stored = message(session);
    await store.store([stored]);
    const before = await database.activity(session);
    const { outcomes, newest } = await store.store([stored]);
    expect(outcomes).to.deep.equal([{ status: 'duplicate' }]);
    expect(newest).to.equal(null);
    expect(await database.activity(session)).to.deep.equal(before);
  });

  it('reports messages of sessions that do not exist and stores the others', async () => {
    const session = await newSession();
    const unknown = randomUUID();
    const batch = [message(unknown), message(session)];
    const { outcomes } = await store.store(batch);
    expect(outcomes.map((o) => o.status)).to.deep.equal(['unknown_session', 'stored']);
    expect(await database.message(batch[0]?.id as string)).to.equal(undefined);
  });

  it('leaves out only the rows PostgreSQL refuses, and stores the rest of the batch', async () => {
    const session = await newSession();
    // Year 0, which timestamptz cannot hold, stands in for whatever the envelope lets through by mistake.
    const batch = [message(session), message(session, { created_at: '0000-01-01T00:00:00.000Z' }), message(session)];
    const { outcomes } = await store.store(batch);
    expect(outcomes.map((o) => o.status)).to.deep.equal(['stored', 'rejected', 'stored']);
    expect(outcomes[1]).to.deep.include({ detail: 'PostgreSQL refused the message (SQLSTATE 22008)' });
    const row = await database.activity(session);
    expect(row?.stored_messages).to.equal('2');
    expect(row?.last_message_id).to.equal(batch[2]?.id);
  });

  describe('replies', () => {
    /** For each path: the one statement, and the steps PostgreSQL's refusal of another row forces. */
    const paths = [
      { name: 'in one statement', extra: (_session: string): ChatMessage[] => [] },
      {
        name: 'in steps',
        extra: (session: string): ChatMessage[] => [message(session, { created_at: '0000-01-01T00:00:00.000Z' })],
      },
    ];
    for (const path of paths) {
      it(`stores a reply to a reply under its thread's root, ${path.name}`, async () => {
        const session = await newSession();
        const root = message(session);
        const reply = message(session, { reply_to: root.id });
        await store.store([root, reply]);
        expect((await database.message(reply.id))?.reply_to, 'a reply to a message of the batch').to.equal(root.id);
        const nested = message(session, { reply_to: reply.id });
        const inBatch = message(session);
        const toInBatch = message(session, { reply_to: inBatch.id });
        const toInBatchReply = message(session, { reply_to: toInBatch.id });
        const { outcomes } = await store.store([...path.extra(session), nested, inBatch, toInBatch, toInBatchReply]);
        expect(outcomes.slice(-4).map((o) => o.status)).to.deep.equal(['stored', 'stored', 'stored', 'stored']);
        expect((await database.message(nested.id))?.reply_to, 'a reply to a stored reply').to.equal(root.id);
        expect((await database.message(toInBatch.id))?.reply_to).to.equal(inBatch.id);
        expect((await database.message(toInBatchReply.id))?.reply_to, 'a reply to a reply of the batch').to.equal(
          inBatch.id,
        );
      });

      it(`refuses a reply to a message of another session, or to none, as unknown_reply_to, ${path.name}`, async () => {
        const [session, other] = [await newSession(), await newSession()];
        const elsewhere = message(other);
        await store.store([elsewhere]);
        const batch = [
          message(session, { reply_to: elsewhere.id }),
          message(session, { reply_to: randomUUID() }),
          message(session),
        ];
        const { outcomes } = await store.store([...path.extra(session), ...batch]);
        expect(outcomes.slice(-3).map((o) => o.status)).to.deep.equal([
          'unknown_reply_to',
          'unknown_reply_to',
          'stored',
        ]);
        expect(await database.message(batch[0]?.id as string)).to.equal(undefined);
        expect(await database.countOf(session)).to.equal(1);
      });
    }
  });

  it('stores nothing and throws when the transaction cannot commit', async () => {
    const closed = await TestDatabase.open();
    await closed.close();
    const session = await newSession();
    const lost = message(session);
    const error = await new MessageStore(closed.db).store([lost]).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(Error);
    expect(await database.message(lost.id)).to.equal(undefined);
  });
});
